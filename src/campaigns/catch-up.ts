import type { CampaignDefinition } from './campaign-schema.js';
import { dueTimes } from './next-due.js';

/** How late a due time that no worker fired (none was running) is still sent, once a worker runs again. */
export const CATCH_UP_MS = 6 * 3600_000;
/** Due times younger than this are left to the cron task that fires them. */
export const CATCH_UP_GRACE_MS = 60_000;

export interface MissedDueTimes {
  /** The latest due time nobody fired, if still within `CATCH_UP_MS`: it is sent now, late. */
  catchUp?: Date;
  /** Due times nobody fired before that one (or all of them, when the latest is too old): never sent. */
  missed: Date[];
}

/**
 * The due times of a campaign's schedule that passed without a run while it
 * was enabled: after the later of its last run and when it was approved or
 * resumed, and before `now` less a grace period. Pure.
 */
export function missedDueTimes(
  def: Pick<CampaignDefinition, 'schedule' | 'window'>,
  o: { now: Date; enabledAt: Date | undefined; lastRunAt: Date | undefined; windowMs?: number; graceMs?: number },
): MissedDueTimes {
  const windowMs = o.windowMs ?? CATCH_UP_MS;
  const end = new Date(o.now.getTime() - (o.graceMs ?? CATCH_UP_GRACE_MS));
  const from = Math.max(o.enabledAt?.getTime() ?? o.now.getTime() - windowMs, o.lastRunAt?.getTime() ?? -Infinity);
  // (bounded: a schedule every second and a week without a worker stay a cheap walk)
  const times = dueTimes(def, new Date(from), 100_000, end);
  const latest = times.at(-1);
  if (!latest || latest.getTime() < o.now.getTime() - windowMs) return { missed: times };
  return { catchUp: latest, missed: times.slice(0, -1) };
}
