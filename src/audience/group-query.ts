import type { GroupRecord, GroupStatus, Segment } from '../shared/groups.js';

/** What the group list is filtered by (every field optional; all given must hold). */
export interface GroupFilter {
  /** Part of the group's name, room id or id. */
  q?: string | undefined;
  district?: string | undefined;
  station?: string | undefined;
  segment?: Segment | undefined;
  status?: GroupStatus | undefined;
  tag?: string | undefined;
}

/** The groups a filter keeps, in the order given; pure. */
export function filterGroups<G extends GroupRecord & { suggestion?: { district: string } | undefined }>(groups: readonly G[], f: GroupFilter): G[] {
  const q = f.q?.trim().toLowerCase();
  return groups.filter(
    (g) =>
      (!f.status || g.status === f.status) &&
      (!f.district || (g.district ?? g.suggestion?.district) === f.district) &&
      (!f.station || g.station === f.station) &&
      (!f.segment || g.segments.includes(f.segment)) &&
      (!f.tag || g.tags.includes(f.tag)) &&
      (!q || g.topic.toLowerCase().includes(q) || g.roomId.toLowerCase() === q || g.id === q),
  );
}

/** One page of rows (pages count from 1) and how many there are in all. */
export function pageOf<T>(rows: readonly T[], page: number, pageSize: number): { total: number; page: number; pageSize: number; rows: T[] } {
  const last = Math.max(1, Math.ceil(rows.length / pageSize));
  const p = Math.min(Math.max(1, page), last);
  return { total: rows.length, page: p, pageSize, rows: rows.slice((p - 1) * pageSize, p * pageSize) };
}
