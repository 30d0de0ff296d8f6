import type { Post } from '../content/post-schema.js';
import type { ReferenceData } from '../config/reference.js';
import { shanghaiDay } from '../config/clock.js';
import type { GroupRecord } from '../shared/groups.js';
import { selectGroups } from '../audience/select-groups.js';
import type { CampaignDefinition } from './campaign-schema.js';
import { resolveCampaignPosts } from './resolve-posts.js';
import { nextDue } from './next-due.js';

export interface CampaignCheck {
  errors: string[];
  warnings: string[];
  targeted: number;
}

/** Lines of one kind of problem shown before the rest are summed up in one line. */
export const MAX_LINES_PER_PROBLEM = 20;

/**
 * What `zhimi campaign validate` and `submit` check beyond the schema and
 * cron: the posts exist and fit the audience, districts are known, the
 * campaign runs at all after `now` (a window that ended, a one-off `at:` in
 * the past, a cron that never fires inside the window: each an error with the
 * reason), and the selector matches at least one registered, tagged group (a
 * warning otherwise). Without `now` the schedule is not looked at. Pure.
 */
export function checkCampaign(def: CampaignDefinition, library: readonly Post[], ref: ReferenceData, groups: readonly GroupRecord[], now?: Date): CampaignCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const { posts, missing } = resolveCampaignPosts(def, library);
  for (const id of missing.slice(0, MAX_LINES_PER_PROBLEM)) errors.push(`posts: no post "${id}" in content/posts (see zhimi content lint)`);
  if (missing.length > MAX_LINES_PER_PROBLEM) errors.push(`posts: … and ${(missing.length - MAX_LINES_PER_PROBLEM).toLocaleString('en-US')} more posts not in content/posts (${missing.length.toLocaleString('en-US')} in all)`);
  if (posts.length === 0 && missing.length === 0) errors.push('posts: the query matches no post of the library');
  const known = new Set(ref.districts.map((d) => d.name));
  const unknownDistricts = def.audience.districts.filter((d) => d !== 'all' && !known.has(d));
  for (const d of unknownDistricts.slice(0, MAX_LINES_PER_PROBLEM)) errors.push(`audience.districts: unknown district "${d}" (one of ${[...known].join('、')}, or all)`);
  if (unknownDistricts.length > MAX_LINES_PER_PROBLEM) errors.push(`audience.districts: … and ${unknownDistricts.length - MAX_LINES_PER_PROBLEM} more unknown districts`);
  if (def.audience.segments.length) {
    const fit = posts.filter((p) => p.audiences.includes('general') || p.audiences.some((a) => def.audience.segments.includes(a)));
    if (posts.length && fit.length === 0) errors.push(`posts: none of the posts is written for ${def.audience.segments.join(', ')}`);
  }
  if (now) {
    const never = whyNeverRuns(def, now);
    if (never) errors.push(never);
  }
  const targeted = selectGroups(groups, def.audience).length;
  if (targeted === 0) warnings.push('audience: the selector matches no registered, tagged group yet');
  return { errors, warnings, targeted };
}

/** Why a campaign has no due time left after `now` (it would be approved and never run), or undefined. */
export function whyNeverRuns(def: Pick<CampaignDefinition, 'schedule' | 'window'>, now: Date): string | undefined {
  if (nextDue(def, now)) return undefined;
  const until = def.window?.until;
  if (until && until <= now) return `window.until: ${shanghaiDay(until)} has passed (now ${shanghaiDay(now)}): the campaign would never run; set a later window.until`;
  if ('at' in def.schedule) {
    if (def.schedule.at <= now) return `schedule.at: ${def.schedule.at.toISOString()} has passed: a one-off campaign runs once, at that time; set a time ahead`;
    return `schedule.at: ${def.schedule.at.toISOString()} is after window.until (${until ? shanghaiDay(until) : ''}): the campaign would never run`;
  }
  return `schedule.cron: "${def.schedule.cron}" never fires ${until ? `between now and window.until (${shanghaiDay(until)})` : 'in the next two years'}: the campaign would never run`;
}
