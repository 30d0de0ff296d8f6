import { deleteInSlices } from './bulk.js';
import { randomUUID } from 'node:crypto';
import type { Store } from './connection.js';
import type { TipDoc } from './models/tips.js';
import { insertClaim } from './once.js';

export type TipRecord = TipDoc;
export type TipInput = Omit<TipDoc, '_id'>;

const HOUR_MS = 3600_000;

/**
 * Store a tip: its time is cut to the hour, and it carries no field that
 * joins it to the asker's `question` engagement (no group, no bot, no exact
 * time: those matched the engagement, which has the member's key).
 */
export async function insertTip(store: Store, tip: TipInput): Promise<string> {
  const _id = randomUUID();
  const { at, day, channel, district, segments, text, chars, type, risk, score, signals } = tip;
  await store.models.Tip.create({
    _id, at: new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS), day, channel,
    ...(district ? { district } : {}), ...(segments ? { segments } : {}),
    text, chars, type, risk, score, signals,
  });
  return _id;
}

/** The `_id` prefix of the scam check's per-group slots in `claims`. */
const SLOT_PREFIX = 'scamcheck:';

/**
 * Take slot `slot` of a group's scam-check window (see GroupCheckLimit): true
 * when this call inserted it, false when another answer (in any worker) has it.
 */
export function takeGroupCheckSlot(store: Store, s: { groupKey: string; window: number; slot: number; botId: string; at: Date }): Promise<boolean> {
  return insertClaim(store, `${SLOT_PREFIX}${s.groupKey}:${s.window}:${s.slot}`, `${SLOT_PREFIX}${s.groupKey}`, s.botId, s.at);
}

/** Forget scam-check slots taken before `before`; in slices (FerretDB v1 refuses deletes of thousands at once). Returns how many. */
export async function forgetGroupCheckSlots(store: Store, before: Date): Promise<number> {
  const filter = { _id: { $regex: `^${SLOT_PREFIX}` }, at: { $lt: before } };
  return deleteInSlices(store.models.Claim, filter);
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
 * Checks per group key, with how many were judged 高 / 中 risk: the tips of
 * the period read with only the fields asked for and counted here (on
 * FerretDB v1 an aggregation grouped by type, district and day over five
 * weeks of tips took minutes; this read, seconds).
 */
export async function tipCounts(store: Store, q: TipsQuery): Promise<{ key: Record<string, string | null>; checks: number; high: number; medium: number }[]> {
  const match: Record<string, unknown> = { day: { $gte: q.from, $lte: q.to } };
  if (q.type) match['type'] = q.type;
  if (q.district) match['district'] = q.district;
  const fields = [...new Set([...q.by, 'risk'])];
  const docs = (await store.models.Tip.find(match, Object.fromEntries([['_id', 0], ...fields.map((f) => [f, 1])])).lean()) as Record<string, string | undefined>[];
  const out = new Map<string, { key: Record<string, string | null>; checks: number; high: number; medium: number }>();
  for (const d of docs) {
    const key = Object.fromEntries(q.by.map((b) => [b, d[b] ?? null]));
    const id = JSON.stringify(key);
    const row = out.get(id) ?? out.set(id, { key, checks: 0, high: 0, medium: 0 }).get(id)!;
    row.checks++;
    if (d['risk'] === 'high') row.high++;
    if (d['risk'] === 'medium') row.medium++;
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
