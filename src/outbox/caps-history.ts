import type { DeliveryState } from './delivery-state.js';

/** A delivery as caps and the repeat window count it. */
export interface CapsHistoryEntry {
  groupId: string;
  postId: string;
  at: Date;
  priority: 0 | 1;
}

/** What caps need of a delivery's state, kept from a read to when a run is planned (a read ahead of the due time). */
export type CapsRecord = Pick<DeliveryState, 'runId' | 'groupId' | 'postId' | 'priority' | 'status' | 'notBefore' | 'sentAt' | 'claimedAt'>;

/** The deliveries that can count (skipped and failed ones never do), each as a CapsRecord and nothing more. Pure. */
export function capsRecords(states: readonly DeliveryState[]): CapsRecord[] {
  return states
    .filter((s) => s.status !== 'skipped' && s.status !== 'failed')
    .map((s) => ({ runId: s.runId, groupId: s.groupId, postId: s.postId, priority: s.priority, status: s.status, notBefore: s.notBefore, sentAt: s.sentAt, claimedAt: s.claimedAt }));
}

/**
 * Deliveries that count for caps and the repeat window (anything not skipped
 * or failed), planned at or after `since` (all when not given), other than a
 * run's own (`exceptRunId`: the run being planned), each at when it went out
 * or will (pure): its send time; its claim time when it may have gone out
 * (`unknown`); for one still waiting, its not-before time or, when that has
 * passed, `now` (an earlier run's post that a bot has not reached yet goes out
 * today, not on its planned day).
 */
export function capsHistory(records: readonly CapsRecord[], now: Date, exceptRunId?: string, since?: Date): CapsHistoryEntry[] {
  const at = (s: CapsRecord): Date => s.sentAt ?? (s.status === 'unknown' && s.claimedAt ? s.claimedAt : s.notBefore > now ? s.notBefore : now);
  return records
    .filter((s) => s.status !== 'skipped' && s.status !== 'failed' && s.runId !== exceptRunId && (!since || s.notBefore >= since))
    .map((s) => ({ groupId: s.groupId, postId: s.postId, at: at(s), priority: s.priority }));
}
