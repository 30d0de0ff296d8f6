import type { CampaignDefinition } from './campaign-schema.js';
import { nextCronTimes, parseCron } from './cron.js';

/**
 * The due times of a campaign after `after`, inside its window and no later
 * than `until` (at most `count`). Asia/Shanghai, pure.
 */
export function dueTimes(def: Pick<CampaignDefinition, 'schedule' | 'window'>, after: Date, count: number, until?: Date): Date[] {
  const windowEnd = def.window?.until;
  const end = windowEnd && (!until || windowEnd < until) ? windowEnd : until;
  const from = def.window?.from && def.window.from > after ? new Date(def.window.from.getTime() - 1000) : after;
  if ('cron' in def.schedule) {
    const p = parseCron(def.schedule.cron);
    return p.ok ? nextCronTimes(p.fields, from, count, end) : [];
  }
  const at = def.schedule.at;
  return at > after && (!end || at <= end) && count > 0 ? [at] : [];
}

/** The next due time of a campaign after `after`, or undefined. */
export function nextDue(def: Pick<CampaignDefinition, 'schedule' | 'window'>, after: Date): Date | undefined {
  return dueTimes(def, after, 1)[0];
}
