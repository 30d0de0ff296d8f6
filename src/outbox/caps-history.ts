import type { DeliveryState } from './delivery-state.js';

/** A delivery as caps and the repeat window count it. */
export interface CapsHistoryEntry {
  groupId: string;
  postId: string;
  at: Date;
  priority: 0 | 1;
}

/**
 * Deliveries that count for caps and the repeat window (anything not skipped
 * or failed), other than a run's own (`exceptRunId`: the run being planned),
 * each at when it went out or will (pure): its send time; its claim time when
 * it may have gone out (`unknown`); for one still waiting, its not-before
 * time or, when that has passed, `now` (an earlier run's post that a bot has
 * not reached yet goes out today, not on its planned day).
 */
export function capsHistory(states: readonly DeliveryState[], now: Date, exceptRunId?: string): CapsHistoryEntry[] {
  const at = (s: DeliveryState): Date => s.sentAt ?? (s.status === 'unknown' && s.claimedAt ? s.claimedAt : s.notBefore > now ? s.notBefore : now);
  return states
    .filter((s) => s.status !== 'skipped' && s.status !== 'failed' && s.runId !== exceptRunId)
    .map((s) => ({ groupId: s.groupId, postId: s.postId, at: at(s), priority: s.priority }));
}
