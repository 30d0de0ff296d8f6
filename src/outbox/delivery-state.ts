import type { DeliveryEventDoc, DeliveryEventRow, DeliveryStatus, PlannedRecord } from '../shared/outbox-records.js';

export type { PlannedRecord } from '../shared/outbox-records.js';


/** A delivery now: its planned record folded with its events. */
export interface DeliveryState extends Omit<PlannedRecord, 'status'> {
  status: DeliveryStatus;
  /** Events so far; the next change is event `seq + 1`. */
  seq: number;
  /** Claims so far (only grows). */
  attempts: number;
  /** Failed sends so far (the retry budget). */
  failures: number;
  claimedBy?: string | undefined;
  claimedAt?: Date | undefined;
  leaseUntil?: Date | undefined;
  sentAt?: Date | undefined;
  reach?: number | undefined;
  day?: string | undefined;
}

/** The state after planning, before any event (a delivery claimed when written is `sending`, at seq 1). */
export function initialState(p: PlannedRecord): DeliveryState {
  // fields copied one by one (this runs for every planned delivery, and object rest — `{ claim, ...rest }` —
  // is some twenty times slower in V8), every field present claimed or not: one object shape for all states
  const claim = p.claim;
  return {
    id: p.id, runId: p.runId, campaignId: p.campaignId, groupId: p.groupId, roomId: p.roomId, botId: p.botId, postId: p.postId, contentHash: p.contentHash,
    text: p.text, priority: p.priority, notBefore: p.notBefore, status: claim ? 'sending' : p.status, reason: p.reason, reach: p.reach, sentAt: p.sentAt, day: p.day, quiet: p.quiet, validUntil: p.validUntil,
    // claimed when written: as if event 1 were the claim (what applyEvent makes of it)
    seq: claim ? 1 : 0, attempts: claim ? 1 : 0, failures: 0, claimedBy: claim?.workerId, claimedAt: claim?.at, leaseUntil: claim?.leaseUntil,
  };
}

/**
 * Apply one event. Pure; events must come in `seq` order (an event that does
 * not follow is ignored, so a partial read never produces a wrong state).
 */
export function applyEvent(s: DeliveryState, e: Pick<DeliveryEventDoc, 'seq' | 'kind' | 'at'> & Partial<DeliveryEventDoc>): DeliveryState {
  if (e.seq !== s.seq + 1) return s;
  // one copy per event (it runs for every claim and outcome)
  switch (e.kind) {
    case 'claim':
      return { ...s, seq: e.seq, status: 'sending', attempts: s.attempts + 1, claimedBy: e.workerId, claimedAt: e.at, leaseUntil: e.leaseUntil, botId: e.botId ?? s.botId };
    case 'sent':
      return { ...s, seq: e.seq, status: 'sent', leaseUntil: undefined, reach: e.reach, sentAt: e.sentAt ?? e.at, day: e.day };
    case 'failed':
    case 'skipped':
    case 'unknown':
      return { ...s, seq: e.seq, status: e.kind, leaseUntil: undefined, reason: e.reason };
    case 'retry':
      return { ...s, seq: e.seq, status: 'planned', leaseUntil: undefined, claimedBy: undefined, notBefore: e.notBefore ?? s.notBefore, reason: e.reason, failures: s.failures + (e.failed ? 1 : 0) };
    case 'moved':
      return { ...s, seq: e.seq, botId: e.botId ?? s.botId, roomId: e.roomId ?? s.roomId };
  }
}

/** The per-delivery events a `delivery_events` read holds: sent batches become one `sent` event per item. */
export function deliveryEvents(rows: readonly DeliveryEventRow[]): DeliveryEventDoc[] {
  const out: DeliveryEventDoc[] = [];
  for (const r of rows) {
    if (r.kind !== 'sent-batch') {
      out.push(r);
      continue;
    }
    for (const i of r.items) {
      out.push({
        _id: `${i.deliveryId}:${i.seq}`, deliveryId: i.deliveryId, runId: r.runId, seq: i.seq, kind: 'sent', at: r.at, workerId: r.workerId, botId: r.botId,
        reach: i.reach, sentAt: i.sentAt, day: i.day, groupId: i.groupId, campaignId: r.campaignId, postId: i.postId,
      });
    }
  }
  return out;
}

/** Event order: by seq; at the same seq `sent` first (it beats a lease expiry's `unknown`: the post went out). */
export function bySeq(a: Pick<DeliveryEventDoc, 'seq' | 'kind'>, b: Pick<DeliveryEventDoc, 'seq' | 'kind'>): number {
  return a.seq - b.seq || (a.kind === 'sent' ? 0 : 1) - (b.kind === 'sent' ? 0 : 1);
}

/** Fold planned records with their events (any order; sent batches included) into current states. */
export function foldDeliveries(planned: readonly PlannedRecord[], rows: readonly DeliveryEventRow[]): DeliveryState[] {
  const byDelivery = new Map<string, DeliveryEventDoc[]>();
  for (const e of deliveryEvents(rows)) {
    const list = byDelivery.get(e.deliveryId);
    if (list) list.push(e);
    else byDelivery.set(e.deliveryId, [e]);
  }
  return planned.map((p) => {
    const list = byDelivery.get(p.id);
    if (!list) return initialState(p);
    return list.sort(bySeq).reduce(applyEvent, initialState(p));
  });
}
