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

/**
 * Claimed deliveries whose lease ran out were maybe sent, maybe not: they
 * become `unknown` and are never resent (a duplicate warning is worse than a
 * missing one).
 */
export function expiryChanges(states: readonly DeliveryState[], now: Date): Change[] {
  return states
    .filter((s) => s.status === 'sending' && s.leaseUntil && s.leaseUntil < now)
    .map((s) => ({ state: s, event: nextEvent(s, 'unknown', now, { botId: s.botId, reason: 'worker stopped after claiming; lease expired, not resent' }) }));
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

/**
 * `sent` events grouped into one document per bot and run (a sent outcome
 * needs no unique `_id`: the only change that can race it is a lease
 * expiry, and a delivery that has both was posted, so `sent` wins in the fold).
 */
export function sentBatches(events: readonly DeliveryEventDoc[]): SentBatchDoc[] {
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
    };
  });
}
