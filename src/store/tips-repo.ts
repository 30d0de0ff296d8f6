import { randomUUID } from 'node:crypto';
import type { Store } from './connection.js';
import type { TipDoc } from './models/tips.js';
import { sumBy } from './aggregate.js';

export type TipRecord = TipDoc;
export type TipInput = Omit<TipDoc, '_id'>;

export async function insertTip(store: Store, tip: TipInput): Promise<string> {
  const _id = randomUUID();
  await store.models.Tip.create({ _id, ...tip });
  return _id;
}

export type TipsBy = 'type' | 'district' | 'day' | 'risk';

export interface TipsQuery {
  /** Asia/Shanghai days, inclusive. */
  from: string;
  to: string;
  by: TipsBy[];
  type?: string;
  district?: string;
}

/**
 * Checks per group key, with how many were judged 高 / 中 risk. Grouped by key
 * and risk with one `$sum` (portable to FerretDB v1), pivoted here.
 */
export async function tipCounts(store: Store, q: TipsQuery): Promise<{ key: Record<string, string | null>; checks: number; high: number; medium: number }[]> {
  const match: Record<string, unknown> = { day: { $gte: q.from, $lte: q.to } };
  if (q.type) match['type'] = q.type;
  if (q.district) match['district'] = q.district;
  const dims = q.by.filter((b) => b !== 'risk');
  const rows = await sumBy(store.models.Tip, match, Object.fromEntries([...dims, 'risk'].map((b) => [b, `$${b}`])), { checks: 1 });
  const out = new Map<string, { key: Record<string, string | null>; checks: number; high: number; medium: number }>();
  for (const r of rows) {
    const full = (r.key ?? {}) as Record<string, string | null>;
    const key = Object.fromEntries(q.by.map((b) => [b, full[b] ?? null]));
    const id = JSON.stringify(key);
    const row = out.get(id) ?? { key, checks: 0, high: 0, medium: 0 };
    row.checks += r.checks;
    if (full['risk'] === 'high') row.high += r.checks;
    if (full['risk'] === 'medium') row.medium += r.checks;
    out.set(id, row);
  }
  return [...out.values()];
}

/** The latest tips (masked texts) for analysts to read. */
export async function latestTips(store: Store, q: Omit<TipsQuery, 'by'>, limit: number): Promise<TipRecord[]> {
  const filter: Record<string, unknown> = { day: { $gte: q.from, $lte: q.to } };
  if (q.type) filter['type'] = q.type;
  if (q.district) filter['district'] = q.district;
  return (await store.models.Tip.find(filter).sort({ at: -1 }).limit(limit).lean()) as TipRecord[];
}

/** Tips stored (waits for nothing: a tip is written right after its answer). */
export async function countTips(store: Store): Promise<number> {
  return store.models.Tip.countDocuments({});
}
