import type { GroupRecord } from '../shared/groups.js';
import type { Segment } from './segments.js';

/** Which groups a campaign is for. Empty lists mean "any". */
export interface AudienceSelector {
  segments?: readonly Segment[];
  districts?: readonly string[];
  tags?: readonly string[];
  include?: readonly string[];
  exclude?: readonly string[];
}

/**
 * The groups a selector targets. Only `active` groups — tagged by an officer,
 * not paused, not left — can ever be targeted; an explicit include does not
 * override that. Groups are matched by id or room id in include/exclude.
 */
export function selectGroups<G extends GroupRecord>(groups: readonly G[], sel: AudienceSelector): G[] {
  const has = (list: readonly string[] | undefined, g: G): boolean => !!list?.some((x) => x === g.id || x === g.roomId);
  return groups.filter((g) => {
    if (g.status !== 'active') return false;
    if (has(sel.exclude, g)) return false;
    if (has(sel.include, g)) return true;
    if (sel.segments?.length && !g.segments.some((s) => sel.segments!.includes(s))) return false;
    if (sel.districts?.length && !sel.districts.includes('all') && !(g.district && sel.districts.includes(g.district))) return false;
    if (sel.tags?.length && !g.tags.some((t) => sel.tags!.includes(t))) return false;
    return true;
  });
}
