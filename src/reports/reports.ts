import type { Store } from '../store/connection.js';
import { shiftDay } from '../config/clock.js';
import { findCounters, findSketches } from '../store/engagement-repo.js';
import { listGroups } from '../store/groups-repo.js';
import type { Row } from './format.js';
import { MERGE_EXACT_MAX, ReachSketch, SKETCH_ERROR } from '../engagement/reach-sketch.js';
import { primarySegment } from '../engagement/recorder.js';
import { AREA_LEVEL, ENGAGEMENT_KINDS, type AreaCut } from '../shared/counters.js';
import { engagementTotal, per1000, rowId, tabulate, type ReportDim } from './tabulate.js';

export interface ReportQuery {
  /** Asia/Shanghai days, inclusive. */
  from: string;
  to: string;
  campaign?: string | undefined;
  segment?: string | undefined;
  district?: string | undefined;
  by: ReportDim[];
}

/** A report asked for something that cannot be answered (a dimension that does not combine, a bad period). */
export class ReportQueryError extends Error {
  override readonly name = 'ReportQueryError';
  readonly code = 'ZHIMI_E_REPORT_QUERY';
}

/** The smallest area cut with the dimensions a query breaks down or filters by. */
export function cutFor(q: Pick<ReportQuery, 'by' | 'segment' | 'district'>): AreaCut {
  const s = q.by.includes('segment') || !!q.segment;
  const d = q.by.includes('district') || !!q.district;
  return s && d ? 'sd' : s ? 's' : d ? 'd' : 't';
}

function areaFilter(q: ReportQuery): Record<string, unknown> {
  return {
    day: { $gte: q.from, $lte: q.to },
    ...(q.campaign ? { campaignId: q.campaign } : {}),
    ...(q.segment ? { segment: q.segment } : {}),
    ...(q.district ? { district: q.district } : {}),
  };
}

/**
 * The counters a query by post reads: per post, or per post and district when
 * it asks for a district (filter or breakdown); posts are not counted per
 * segment. Undefined for a query not by post.
 */
function postLevelOf(q: Pick<ReportQuery, 'segment' | 'district'> & { by: readonly ReportDim[] }): 'post' | 'post_d' | undefined {
  if (!q.by.includes('post')) return undefined;
  if (q.segment || q.by.includes('segment')) {
    throw new ReportQueryError('posts are counted per day, campaign and district, not per segment: leave out --segment and segment from --by');
  }
  return q.district || q.by.includes('district') ? 'post_d' : 'post';
}

/**
 * Reach: deliveries, groups reached and members reached (sum over posts, and
 * unique: a resident in several groups counts once) per row. Unique figures
 * come from the sketches: exact while small, else within ±1.6 % (one
 * standard error).
 */
export async function reachReport(store: Store, q: ReportQuery): Promise<Row[]> {
  const postLevel = postLevelOf(q);
  const filter = areaFilter(q);
  const cut = cutFor(q);
  const docs = await findCounters(store, postLevel ?? AREA_LEVEL[cut], filter);
  const rows = tabulate(docs as unknown as Record<string, unknown>[], q.by);
  const unique = postLevel ? undefined : await uniqueBy(store, cut, filter, q.by);
  return sortRows(
    [...rows.entries()].map(([id, r]) => ({
      ...r.key,
      deliveries: r.totals.sent,
      ...(unique ? { groups: unique.groups.get(id)?.estimate() ?? 0 } : {}),
      reach: r.totals.reach,
      ...(unique ? { uniqueReach: unique.members.get(id)?.estimate() ?? 0 } : {}),
      ...(unique ? { exact: unique.members.get(id)?.exact === false || unique.groups.get(id)?.exact === false ? `±${(SKETCH_ERROR * 100).toFixed(1)}%` : 'yes' } : {}),
    })),
    q.by,
  );
}

/** Unique members and groups reached in the whole period (all rows together). */
export async function uniqueReachTotal(store: Store, q: Omit<ReportQuery, 'by'>): Promise<{ members: number; groups: number; exact: boolean }> {
  const u = await uniqueBy(store, cutFor({ ...q, by: [] }), areaFilter({ ...q, by: [] }), []);
  const m = u.members.values().next().value as ReachSketch | undefined;
  const g = u.groups.values().next().value as ReachSketch | undefined;
  return { members: m?.estimate() ?? 0, groups: g?.estimate() ?? 0, exact: (m?.exact ?? true) && (g?.exact ?? true) };
}

async function uniqueBy(store: Store, cut: AreaCut, filter: Record<string, unknown>, by: readonly ReportDim[]): Promise<{ members: Map<string, ReachSketch>; groups: Map<string, ReachSketch> }> {
  const out = { members: new Map<string, ReachSketch>(), groups: new Map<string, ReachSketch>() };
  for (const doc of await findSketches(store, cut, filter)) {
    const map = doc.kind === 'members' ? out.members : out.groups;
    const id = rowId(doc as unknown as Record<string, unknown>, by);
    const s = ReachSketch.from({ sparse: bytes(doc.sparse), dense: bytes(doc.dense) }, MERGE_EXACT_MAX);
    const acc = map.get(id);
    if (acc) acc.merge(s);
    else map.set(id, s);
  }
  return out;
}

/** Engagement per row: each kind, the total, and engagements per 1,000 members reached. */
export async function engagementReport(store: Store, q: ReportQuery): Promise<Row[]> {
  const docs = await findCounters(store, postLevelOf(q) ?? AREA_LEVEL[cutFor(q)], areaFilter(q));
  return sortRows(
    [...tabulate(docs as unknown as Record<string, unknown>[], q.by).values()].map((r) => ({
      ...r.key,
      reach: r.totals.reach,
      ...Object.fromEntries(ENGAGEMENT_KINDS.map((k) => [k, r.totals[k]])),
      total: engagementTotal(r.totals),
      per1000: per1000(engagementTotal(r.totals), r.totals.reach),
    })),
    q.by,
  );
}

/** Posts ranked by engagements per 1,000 members reached (then by reach). */
export async function postsReport(store: Store, q: Omit<ReportQuery, 'by'> & { top?: number }): Promise<Row[]> {
  const docs = await findCounters(store, postLevelOf({ ...q, by: ['post'] })!, areaFilter({ ...q, by: [] }));
  const rows = [...tabulate(docs as unknown as Record<string, unknown>[], ['post', 'campaign']).values()]
    .map((r) => ({ post: r.key.post, campaign: r.key.campaign, deliveries: r.totals.sent, reach: r.totals.reach, engagements: engagementTotal(r.totals), per1000: per1000(engagementTotal(r.totals), r.totals.reach) }))
    .sort((a, b) => b.per1000 - a.per1000 || b.reach - a.reach || a.post.localeCompare(b.post));
  return rows.slice(0, q.top ?? 20);
}

/**
 * Groups that need attention: active groups posted to in the period whose
 * members never engaged, and active groups with no post in the 30 days up
 * to the end of the period.
 */
export async function groupsReport(store: Store, q: Omit<ReportQuery, 'by'>): Promise<Row[]> {
  const to = q.to;
  const from30 = shiftDay(to, -29);
  const [inPeriod, inMonth, groups] = await Promise.all([
    findCounters(store, 'group', { day: { $gte: q.from, $lte: to }, ...(q.campaign ? { campaignId: q.campaign } : {}) }),
    findCounters(store, 'group', { day: { $gte: from30, $lte: to }, sent: { $gt: 0 } }),
    listGroups(store, { status: ['active'] }),
  ]);
  const period = new Map<string, { sent: number; engagements: number }>();
  for (const d of inPeriod) {
    const p = period.get(d.groupId!) ?? { sent: 0, engagements: 0 };
    p.sent += d.sent;
    p.engagements += ENGAGEMENT_KINDS.reduce((a, k) => a + (d[k] ?? 0), 0);
    period.set(d.groupId!, p);
  }
  const postedInMonth = new Set(inMonth.map((d) => d.groupId!));
  const out: Row[] = [];
  for (const g of groups) {
    if ((q.segment && primarySegment(g) !== q.segment) || (q.district && g.district !== q.district)) continue;
    const p = period.get(g.id);
    const problem = !postedInMonth.has(g.id) ? `no post since ${from30}` : p && p.sent > 0 && p.engagements === 0 ? 'never engaged' : undefined;
    if (!problem) continue;
    out.push({ group: g.topic, district: g.district ?? '', segment: primarySegment(g), members: g.memberCount, posts: p?.sent ?? 0, engagements: p?.engagements ?? 0, problem });
  }
  return out.sort((a, b) => String(a['problem']).localeCompare(String(b['problem'])) || String(a['district']).localeCompare(String(b['district'])) || String(a['group']).localeCompare(String(b['group'])));
}

function sortRows(rows: Row[], by: readonly ReportDim[]): Row[] {
  return rows.sort((a, b) => {
    for (const d of by) {
      const c = String(a[d] ?? '').localeCompare(String(b[d] ?? ''));
      if (c) return c;
    }
    return 0;
  });
}

/** A stored binary as bytes (the driver may hand back a Buffer or a BSON Binary). */
function bytes(v: unknown): Uint8Array | undefined {
  if (!v) return undefined;
  if (v instanceof Uint8Array) return v;
  const b = v as { buffer?: unknown; value?: () => Uint8Array };
  if (b.buffer instanceof Uint8Array) return b.buffer;
  return undefined;
}
