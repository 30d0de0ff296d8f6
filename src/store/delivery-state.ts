import type { DeliveryStatus } from './models/deliveries.js';
import type { DeliveryEventDoc } from './models/delivery-events.js';

/** A delivery as the planner wrote it (the `deliveries` document, ids as strings). */
export interface PlannedRecord {
  id: string;
  runId: string;
  campaignId: string;
  groupId: string;
  roomId: string;
  botId: string;
  postId: string;
  contentHash: string;
  text: string;
  priority: 0 | 1;
  notBefore: Date;
  /** At planning; `sent` and `unknown` only in documents from before the outbox became insert-only (they carry their outcome). */
  status: 'planned' | 'skipped' | 'failed' | 'sent' | 'unknown';
  reason?: string | undefined;
  reach?: number | undefined;
  sentAt?: Date | undefined;
  day?: string | undefined;
}

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

/** The state after planning, before any event. */
export function initialState(p: PlannedRecord): DeliveryState {
  return { ...p, seq: 0, attempts: 0, failures: 0 };
}

/**
 * Apply one event. Pure; events must come in `seq` order (an event that does
 * not follow is ignored, so a partial read never produces a wrong state).
 */
export function applyEvent(s: DeliveryState, e: Pick<DeliveryEventDoc, 'seq' | 'kind' | 'at'> & Partial<DeliveryEventDoc>): DeliveryState {
  if (e.seq !== s.seq + 1) return s;
  const n: DeliveryState = { ...s, seq: e.seq };
  switch (e.kind) {
    case 'claim':
      return { ...n, status: 'sending', attempts: s.attempts + 1, claimedBy: e.workerId, claimedAt: e.at, leaseUntil: e.leaseUntil, botId: e.botId ?? s.botId };
    case 'sent':
      return { ...n, status: 'sent', leaseUntil: undefined, reach: e.reach, sentAt: e.sentAt ?? e.at, day: e.day };
    case 'failed':
    case 'skipped':
    case 'unknown':
      return { ...n, status: e.kind, leaseUntil: undefined, reason: e.reason };
    case 'retry':
      return { ...n, status: 'planned', leaseUntil: undefined, claimedBy: undefined, notBefore: e.notBefore ?? s.notBefore, reason: e.reason, failures: s.failures + (e.failed ? 1 : 0) };
    case 'moved':
      return { ...n, botId: e.botId ?? s.botId, roomId: e.roomId ?? s.roomId };
  }
}

/** Fold planned records with their events (any order) into current states. */
export function foldDeliveries(planned: readonly PlannedRecord[], events: readonly DeliveryEventDoc[]): DeliveryState[] {
  const byDelivery = new Map<string, DeliveryEventDoc[]>();
  for (const e of events) {
    const list = byDelivery.get(e.deliveryId);
    if (list) list.push(e);
    else byDelivery.set(e.deliveryId, [e]);
  }
  return planned.map((p) => {
    const list = byDelivery.get(p.id);
    if (!list) return initialState(p);
    return list.sort((a, b) => a.seq - b.seq).reduce(applyEvent, initialState(p));
  });
}
