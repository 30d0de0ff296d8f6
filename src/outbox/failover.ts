import type { Change } from './events.js';
import { nextEvent } from './events.js';
import type { DeliveryState } from './delivery-state.js';

/**
 * Which bot takes a planned post whose bot is not online (pure): an online
 * bot that is a member of its group, the least loaded first; with none, the
 * post fails with "no bot online in group". `membersOf` gives the member bots
 * of each group that has an orphan.
 */
export function failoverChanges(orphans: readonly DeliveryState[], online: ReadonlySet<string>, membersOf: ReadonlyMap<string, readonly string[]>, now: Date): Change[] {
  const load = new Map<string, number>();
  return orphans.map((s) => {
    const candidates = (membersOf.get(s.groupId) ?? []).filter((b) => online.has(b));
    if (candidates.length === 0) return { state: s, event: nextEvent(s, 'failed', now, { reason: 'no bot online in group' }) };
    const to = candidates.reduce((a, b) => ((load.get(a) ?? 0) <= (load.get(b) ?? 0) ? a : b));
    load.set(to, (load.get(to) ?? 0) + 1);
    return { state: s, event: nextEvent(s, 'moved', now, { botId: to }) };
  });
}

/** Planned deliveries whose bot is not online. */
export function orphansOf(states: readonly DeliveryState[], online: ReadonlySet<string>): DeliveryState[] {
  return states.filter((s) => s.status === 'planned' && !online.has(s.botId));
}
