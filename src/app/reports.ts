import { loadScamTypes } from '../content/library.js';
import type { Store } from '../store/connection.js';
import { latestTips, tipCounts, type TipsBy } from '../store/tips-repo.js';

export type { TipsBy } from '../store/tips-repo.js';
import { engagementReport, groupsReport, postsReport, reachReport, uniqueReachTotal, type ReportQuery } from '../reports/reports.js';
import type { Row } from '../reports/format.js';
import { type Actor, type Grant } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { KeptRead, KeptReads } from './kept-read.js';
import { requireGrant } from './errors.js';
import { tipSpikes, SPIKE_RULE } from '../reports/tip-spikes.js';
import { shanghaiDay, shiftDay } from '../config/clock.js';
import type { Segment } from '../shared/groups.js';

/**
 * The district a report may cover for this actor: theirs when they work for
 * one (a report of another district is refused), the one asked for otherwise.
 */
export function scopedDistrict(actor: Actor, grant: Grant, asked: string | undefined): string | undefined {
  requireGrant(actor, grant, asked ? { district: asked } : undefined);
  return actor.scope.kind === 'city' ? asked : actor.scope.district;
}

/** The analysts' reports: reach, engagement, posts, groups, and what residents asked the scam check. */

export const ANALYST_REPORTS = {
  reach: { about: 'deliveries, groups reached, members reached (sum, and unique: a resident in several groups counts once)', by: ['day'], run: reachReport },
  engagement: { about: 'replies, mentions, keywords, questions, clicks, and engagements per 1,000 members reached', by: ['day'], run: engagementReport },
  posts: { about: 'posts ranked by engagements per 1,000 members reached', by: ['post'], run: postsReport },
  groups: { about: 'active groups that never engage, or have had no post in 30 days', by: ['day'], run: groupsReport },
} as const satisfies Record<string, { about: string; by: readonly string[]; run: (store: Store, q: ReportQuery & { top: number }) => Promise<Row[]> }>;

export type AnalystReportKind = keyof typeof ANALYST_REPORTS;

export interface AnalystReport {
  rows: Row[];
  /** All rows together (reach only): distinct members and groups, exact or an estimate. */
  unique?: { members: number; groups: number; exact: boolean };
}

/** One analysts' report over the daily counters (days are Asia/Shanghai). */
export async function analystReport(ctx: AppContext, actor: Actor, kind: AnalystReportKind, query: ReportQuery & { top: number }): Promise<AnalystReport> {
  const district = scopedDistrict(actor, 'reports:read', query.district);
  const q = { ...query, ...(district ? { district } : {}) };
  const store = await ctx.store();
  const read = kept.of(store, JSON.stringify([kind, q]), () => new KeptRead(async () => {
    const reader = await ctx.readerStore();
    const rows = await ANALYST_REPORTS[kind].run(reader, q);
    return kind === 'reach' ? { rows, unique: await uniqueReachTotal(reader, q) } : { rows };
  }, { clock: ctx.clock, freshMs: REPORT_FRESH_MS, onError: (err) => ctx.log.warn({ err, kind }, 'a report could not be read again; the last one is shown') }));
  return (await read.get()).value;
}

/** Reports asked again within this are answered as read; a slow one (over 250 ms: the district cut's sketches at 30 days) is then read again in the background while the last is answered. */
const REPORT_FRESH_MS = 2_000;
const kept = new KeptReads<AnalystReport>();

export interface TipsReportQuery {
  from: string;
  to: string;
  by: TipsBy[];
  type?: string | undefined;
  district?: string | undefined;
  /** Also list the latest n tips (masked text). */
  latest: number;
}

export interface TipsReport {
  /** Checks and 高/中 risk per key, most checks first; types by their names. */
  rows: Row[];
  latest: { at: Date; district: string; type: string; risk: string; text: string }[];
}

/** What members asked the scam check about, by type, district, day or risk, and the latest masked texts. */
export async function tipsReport(ctx: AppContext, actor: Actor, query: TipsReportQuery): Promise<TipsReport> {
  const district = scopedDistrict(actor, 'tips:read', query.district);
  const q = { ...query, district };
  const names = Object.fromEntries(loadScamTypes(ctx.contentDir).types.map((t) => [t.id, t.name]));
  const store = await ctx.store();
  const filter = { from: q.from, to: q.to, ...(q.type ? { type: q.type } : {}), ...(q.district ? { district: q.district } : {}) };
  const rows = (await tipCounts(store, { ...filter, by: q.by }))
    .map((r) => ({
      ...Object.fromEntries(q.by.map((b) => [b, b === 'type' && r.key[b] ? `${names[r.key[b]!] ?? r.key[b]}` : (r.key[b] ?? (b === 'district' ? '(private)' : ''))])),
      checks: r.checks,
      high: r.high,
      medium: r.medium,
    }))
    .sort((a, b) => b.checks - a.checks || String(Object.values(a)[0]).localeCompare(String(Object.values(b)[0])));
  const latest = q.latest > 0 ? await latestTips(store, filter, q.latest) : [];
  return {
    rows,
    latest: latest.map((t) => ({ at: t.at, district: t.district ?? '(private)', type: names[t.type] ?? t.type, risk: t.risk, text: t.text.replace(/\s+/g, ' ').slice(0, 80) })),
  };
}

export interface TipSpikeView {
  type: string;
  typeName: string;
  district: string;
  today: number;
  baseline: number;
  ratio: number;
  /** The segments this type of scam hits (the audiences of the library's posts about it): whom an urgent alert should reach. */
  segments: Segment[];
}

/**
 * Scam types asked about today in a district far above their trailing four
 * weeks (see reports/tip-spikes.ts), with the segments an urgent alert about
 * each should target.
 */
export async function tipSpikesToday(ctx: AppContext, actor: Actor): Promise<TipSpikeView[]> {
  const district = scopedDistrict(actor, 'reports:read', undefined);
  const today = shanghaiDay(ctx.clock.now());
  const trailing = Array.from({ length: SPIKE_RULE.trailingDays }, (_, i) => shiftDay(today, -(i + 1)));
  const counts = await tipCounts(await ctx.store(), { from: trailing.at(-1)!, to: today, by: ['type', 'district', 'day'], ...(district ? { district } : {}) });
  const names = Object.fromEntries(loadScamTypes(ctx.contentDir).types.map((t) => [t.id, t.name]));
  const library = ctx.library();
  return tipSpikes(counts.map((c) => ({ type: c.key['type'] ?? '', district: c.key['district'] ?? undefined, day: c.key['day'] ?? '', checks: c.checks })), today, trailing).map((s) => ({
    ...s,
    typeName: names[s.type] ?? s.type,
    segments: [...new Set(library.filter((p) => p.scamTypes.includes(s.type)).flatMap((p) => p.audiences))],
  }));
}
