import type { Post } from '../content/post-schema.js';
import type { ReferenceData } from '../config/reference.js';
import type { GroupRecord } from '../shared/groups.js';
import { selectGroups } from '../audience/select-groups.js';
import type { CampaignDefinition } from './campaign-schema.js';
import { resolveCampaignPosts } from './resolve-posts.js';

export interface CampaignCheck {
  errors: string[];
  warnings: string[];
  targeted: number;
}

/**
 * What `zhimi campaign validate` checks beyond the schema and cron: the posts
 * exist and fit the audience, districts are known, and the selector matches at
 * least one registered, tagged group (a warning otherwise).
 */
export function checkCampaign(def: CampaignDefinition, library: readonly Post[], ref: ReferenceData, groups: readonly GroupRecord[]): CampaignCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const { posts, missing } = resolveCampaignPosts(def, library);
  for (const id of missing) errors.push(`posts: no post "${id}" in content/posts (see zhimi content lint)`);
  if (posts.length === 0 && missing.length === 0) errors.push('posts: the query matches no post of the library');
  const known = new Set(ref.districts.map((d) => d.name));
  for (const d of def.audience.districts) if (d !== 'all' && !known.has(d)) errors.push(`audience.districts: unknown district "${d}" (one of ${[...known].join('、')}, or all)`);
  if (def.audience.segments.length) {
    const fit = posts.filter((p) => p.audiences.includes('general') || p.audiences.some((a) => def.audience.segments.includes(a)));
    if (posts.length && fit.length === 0) errors.push(`posts: none of the posts is written for ${def.audience.segments.join(', ')}`);
  }
  const targeted = selectGroups(groups, def.audience).length;
  if (targeted === 0) warnings.push('audience: the selector matches no registered, tagged group yet');
  return { errors, warnings, targeted };
}
