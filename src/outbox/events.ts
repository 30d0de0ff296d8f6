import { randomBytes } from 'node:crypto';
import type { DeliveryEventDoc, DeliveryEventKind, SentBatchDoc } from '../shared/outbox-records.js';
import type { DeliveryState } from './delivery-state.js';

/**
 * The outbox's changes as events (pure). Every change of a delivery after
 * planning is an inserted event whose `_id` (`<deliveryId>:<seq>`) makes
 * concurrent changes of the same state collide, so exactly one wins.
 */

/** A change to append: the state it changes and the event that changes it. */
export interface Change {
  state: DeliveryState;
  event: DeliveryEventDoc;
}

/** The event that changes a delivery from the state given (its `_id` collides with any other change of that state). */
export function nextEvent(s: DeliveryState, kind: DeliveryEventKind, at: Date, fields: Partial<DeliveryEventDoc> = {}): DeliveryEventDoc {
  const seq = s.seq + 1;
  return { _id: `${s.id}:${seq}`, deliveryId: s.id, runId: s.runId, seq, kind, at, ...fields };
}

export interface ClaimOptions {
  workerId: string;
  leaseMs: number;
  now: Date;
}

/** The claim events for planned deliveries (planned → sending, with a lease). */
export function claimChanges(states: readonly DeliveryState[], o: ClaimOptions): Change[] {
  const leaseUntil = new Date(o.now.getTime() + o.leaseMs);
  return states.filter((s) => s.status === 'planned').map((s) => ({ state: s, event: nextEvent(s, 'claim', o.now, { workerId: o.workerId, botId: s.botId, leaseUntil }) }));
}

/** The outcome of a claimed delivery. */
export interface Outcome {
  status: 'sent' | 'failed' | 'skipped' | 'unknown';
  reason?: string;
  reach?: number;
  sentAt?: Date;
  day?: string;
}

/** The event that records a claimed delivery's outcome (what engagement attribution needs travels with `sent`). */
export function outcomeEvent(s: DeliveryState, o: Outcome, workerId: string, at: Date): DeliveryEventDoc {
  const sent = o.status === 'sent' ? { reach: o.reach, sentAt: o.sentAt, day: o.day, groupId: s.groupId, campaignId: s.campaignId, postId: s.postId } : {};
  return nextEvent(s, o.status, at, { workerId, botId: s.botId, ...(o.reason ? { reason: o.reason } : {}), ...sent });
}

/** The event that gives a claimed delivery back to the queue, due at `notBefore` (a failed send, or handed back unsent). */
export function retryEvent(s: DeliveryState, notBefore: Date, reason: string, failed: boolean, workerId: string, at: Date): DeliveryEventDoc {
  return nextEvent(s, 'retry', at, { workerId, botId: s.botId, notBefore, reason, failed });
}

/** What becomes of a claimed delivery whose lease ran out: left to its live worker, back to planned (never sent), or `unknown`. */
export type LapsedVerdict = 'wait' | 'planned' | 'unknown';

/** Why a lapsed claim went back to planned. */
export const CLAIM_LAPSED_UNSENT = 'claim lapsed before its send started (its worker is alive and never sent it); back to planned';

/**
 * Claimed deliveries whose lease ran out. One that may have been sent
 * becomes `unknown` and is never resent (a duplicate warning is worse than a
 * missing one); `verdict` tells the others apart: a claim whose worker is
 * alive and decides itself (`wait`), and one its own worker knows it never
 * sent (`planned`: back to the queue, as a long database outage must not
 * cost a group its warning). Without a verdict every lapsed claim is `unknown`.
 */
export function expiryChanges(states: readonly DeliveryState[], now: Date, verdict: (s: DeliveryState) => LapsedVerdict = () => 'unknown'): Change[] {
  const out: Change[] = [];
  for (const s of states) {
    if (s.status !== 'sending' || !s.leaseUntil || s.leaseUntil >= now) continue;
    const v = verdict(s);
    if (v === 'planned') out.push({ state: s, event: nextEvent(s, 'retry', now, { workerId: s.claimedBy, botId: s.botId, notBefore: now, reason: CLAIM_LAPSED_UNSENT, failed: false }) });
    else if (v === 'unknown') out.push({ state: s, event: nextEvent(s, 'unknown', now, { botId: s.botId, reason: 'worker stopped after claiming; lease expired, not resent' }) });
  }
  return out;
}

/** Skip the planned ones of these deliveries, with the reason. */
export function skipChanges(states: readonly DeliveryState[], reason: string, now: Date): Change[] {
  return states.filter((s) => s.status === 'planned').map((s) => ({ state: s, event: nextEvent(s, 'skipped', now, { reason }) }));
}

/**
 * Planned deliveries by due order: urgent first, then by not-before. Shared
 * by the dispatcher's queue and the one-shot claim.
 */
export function byDueOrder(a: DeliveryState, b: DeliveryState): number {
  return b.priority - a.priority || a.notBefore.getTime() - b.notBefore.getTime();
}

/** A sent batch as written: with the tally unit that counts it, when a recorder counts this worker's posts. */
export type SentBatchRow = SentBatchDoc & { unit?: string };

/**
 * `sent` events grouped into one document per bot and run (a sent outcome
 * needs no unique `_id`: the only change that can race it is a lease
 * expiry, and a delivery that has both was posted, so `sent` wins in the fold).
 * `unit` names the tally unit that counts them (see engagement/tally.ts): the
 * counters of a worker killed before it counted them are completed from it.
 */
export function sentBatches(events: readonly DeliveryEventDoc[], unit?: string): SentBatchRow[] {
  const byBotAndRun = new Map<string, DeliveryEventDoc[]>();
  for (const e of events) {
    const key = `${e.runId} ${e.botId}`;
    (byBotAndRun.get(key) ?? byBotAndRun.set(key, []).get(key)!).push(e);
  }
  return [...byBotAndRun.values()].map((list) => {
    const first = list[0]!;
    const items = list.map((e) => ({ deliveryId: e.deliveryId, seq: e.seq, groupId: e.groupId ?? '', postId: e.postId ?? '', reach: e.reach ?? 0, sentAt: e.sentAt ?? e.at, day: e.day ?? '' }));
    return {
      _id: `sent:${randomBytes(12).toString('hex')}`, kind: 'sent-batch', runId: first.runId, campaignId: first.campaignId ?? '', botId: first.botId ?? '', workerId: first.workerId ?? '',
      at: list.reduce((latest, e) => (e.at > latest ? e.at : latest), first.at), items, groupIds: [...new Set(items.map((i) => i.groupId))], count: items.length,
      ...(unit ? { unit } : {}),
    };
  });
}
