import type { CampaignDefinition } from './campaign-schema.js';
import { nextCronTimes, parseCron } from './cron.js';

/** The next due time of a campaign after `after`, inside its window, or undefined. */
export function nextDue(def: Pick<CampaignDefinition, 'schedule' | 'window'>, after: Date): Date | undefined {
  const from = def.window?.from && def.window.from > after ? new Date(def.window.from.getTime() - 1000) : after;
  if ('cron' in def.schedule) {
    const p = parseCron(def.schedule.cron);
    return p.ok ? nextCronTimes(p.fields, from, 1, def.window?.until)[0] : undefined;
  }
  const at = def.schedule.at;
  return at > after && (!def.window?.until || at <= def.window.until) ? at : undefined;
}
