import type { Change } from './events.js';
import { nextEvent } from './events.js';
import type { DeliveryState } from './delivery-state.js';

/**
 * Which bot takes a planned post whose bot is not online (pure): an online
 * bot that is a member of its group, the least loaded first. With none, the
 * post waits for one (its own bot coming back, or another member bot) until
 * `waitUntil` says (undefined: it does not wait), and then fails with "no bot
 * online in group". `membersOf` gives the member bots of each group that has
 * an orphan.
 */
export function failoverChanges(
  orphans: readonly DeliveryState[],
  online: ReadonlySet<string>,
  membersOf: ReadonlyMap<string, readonly string[]>,
  now: Date,
  waitUntil: (s: DeliveryState) => Date | undefined = () => undefined,
): Change[] {
  const load = new Map<string, number>();
  return orphans.flatMap((s) => {
    const candidates = (membersOf.get(s.groupId) ?? []).filter((b) => online.has(b));
    if (candidates.length === 0) {
      const until = waitUntil(s);
      if (until && until > now) return [];
      return [{ state: s, event: nextEvent(s, 'failed', now, { reason: until ? `no bot online in group (waited for one until ${until.toISOString()})` : 'no bot online in group' }) }];
    }
    const to = candidates.reduce((a, b) => ((load.get(a) ?? 0) <= (load.get(b) ?? 0) ? a : b));
    load.set(to, (load.get(to) ?? 0) + 1);
    return [{ state: s, event: nextEvent(s, 'moved', now, { botId: to }) }];
  });
}

/** Planned deliveries whose bot is not online. */
export function orphansOf(states: readonly DeliveryState[], online: ReadonlySet<string>): DeliveryState[] {
  return states.filter((s) => s.status === 'planned' && !online.has(s.botId));
}
