import { COUNTER_MEASURES, ENGAGEMENT_KINDS, type CounterMeasure } from '../shared/counters.js';

/** Dimensions a report can break figures down by. */
export const REPORT_DIMS = ['day', 'segment', 'district', 'campaign', 'post'] as const;
export type ReportDim = (typeof REPORT_DIMS)[number];

/** The counter field behind each dimension. */
export const DIM_FIELD: Record<ReportDim, string> = { day: 'day', segment: 'segment', district: 'district', campaign: 'campaignId', post: 'postId' };

export type Totals = Record<CounterMeasure, number>;

export function zeroTotals(): Totals {
  return Object.fromEntries(COUNTER_MEASURES.map((m) => [m, 0])) as Totals;
}

/** Engagements of all kinds. */
export function engagementTotal(t: Totals): number {
  return ENGAGEMENT_KINDS.reduce((a, k) => a + t[k], 0);
}

/** Engagements per 1,000 members reached (0 when nobody was reached). */
export function per1000(engagements: number, reach: number): number {
  return reach > 0 ? Math.round((engagements / reach) * 10_000) / 10 : 0;
}

/**
 * Add up counter documents by the chosen dimensions (documents of every
 * writer and every day in the period fall into their row). Pure.
 */
export function tabulate<D extends Record<string, unknown>>(docs: readonly D[], by: readonly ReportDim[]): Map<string, { key: Record<ReportDim, string>; totals: Totals }> {
  const rows = new Map<string, { key: Record<ReportDim, string>; totals: Totals }>();
  for (const d of docs) {
    const key = Object.fromEntries(by.map((b) => [b, String(d[DIM_FIELD[b]] ?? '')])) as Record<ReportDim, string>;
    const id = JSON.stringify(key);
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { key, totals: zeroTotals() }));
    for (const m of COUNTER_MEASURES) row.totals[m] += Number(d[m] ?? 0);
  }
  return rows;
}

/** The row key of a document under the chosen dimensions (for sketches). */
export function rowId(d: Record<string, unknown>, by: readonly ReportDim[]): string {
  return JSON.stringify(Object.fromEntries(by.map((b) => [b, String(d[DIM_FIELD[b]] ?? '')])));
}
