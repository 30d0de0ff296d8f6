import type { Store } from './connection.js';
import { inChunks } from './bulk.js';
import { insertUnique } from './once.js';
import type { CounterDoc, SketchDocument, TallySessionDoc } from './models/engagement.js';
import { COUNTER_LEVELS, type AreaCut, type CounterLevel, type EngagementDoc } from '../shared/counters.js';

export type EngagementRecord = EngagementDoc;
export type CounterRecord = CounterDoc;
export type SketchRecord = SketchDocument;

export interface TallyWrite {
  events: readonly EngagementDoc[];
  counters: readonly { level: CounterLevel; id: string; dims: Record<string, string>; inc: Record<string, number | undefined> }[];
  sketches: readonly { id: string; cut: AreaCut; kind: 'members' | 'groups'; dims: Record<string, string>; doc: { sparse?: Uint8Array | undefined; dense?: Uint8Array | undefined } }[];
}

/**
 * Write a batch: engagement events (inserted), counter increments (`$inc`
 * upserts by `_id`, each document owned by one writer) and whole sketches
 * (replaced by `_id`). Every write addresses documents by primary key only.
 */
export async function writeTally(store: Store, w: TallyWrite): Promise<void> {
  if (w.events.length) await store.models.Engagement.insertMany(w.events, { ordered: false });
  const byLevel = new Map<CounterLevel, TallyWrite['counters'][number][]>();
  for (const c of w.counters) {
    const list = byLevel.get(c.level) ?? [];
    list.push(c);
    byLevel.set(c.level, list);
  }
  for (const [level, items] of byLevel) {
    for (const chunk of inChunks(items)) {
      const ops = chunk.map((c) => ({
        updateOne: {
          filter: { _id: c.id },
          update: { $inc: Object.fromEntries(Object.entries(c.inc).filter(([, v]) => v)), $setOnInsert: c.dims },
          upsert: true,
        },
      }));
      await store.models.Counters[level].bulkWrite(ops, { ordered: false });
    }
  }
  await replaceSketches(store, w.sketches);
}

/** A counter increment to apply exactly once (see engagement/tally.ts: GuardedIncrement). */
export interface GuardedCounterWrite {
  level: CounterLevel;
  id: string;
  dims: Record<string, string>;
  inc: Record<string, number | undefined>;
  flush: number;
  sUpTo: number;
  eUpTo: number;
}

/** A tally flush as the store writes it. */
export interface TallyFlushWrite {
  counters: readonly GuardedCounterWrite[];
  groupDocs: readonly { level: CounterLevel; id: string; dims: Record<string, string>; inc: Record<string, number | undefined> }[];
  sketches: TallyWrite['sketches'];
}

/**
 * Write a tally flush so that each increment counts exactly once, however
 * often the flush is written (a retry after a failure whose answer was lost,
 * a recovery of a dead session): group-level documents are per unit and
 * inserted (a repeat collides); an area or post counter is created with the
 * increment (insert) or, when it exists, incremented only while its flush
 * number is below this flush's (`{_id, f < flush}`: one writer per document,
 * so the condition is never raced). Sketches are replaced whole. Only unique
 * inserts and updates by `_id`: FerretDB v1 makes anything else cost the
 * whole collection. `known`: counter ids this writer created already (they
 * are incremented without an insert first); the ones it creates are added.
 */
export async function writeTallyFlush(store: Store, w: TallyFlushWrite, known: Set<string> = new Set()): Promise<void> {
  const groupDocs = w.groupDocs.map((g) => ({ _id: g.id, ...g.dims, ...Object.fromEntries(Object.entries(g.inc).filter(([, v]) => v)) }));
  for (const chunk of inChunks(groupDocs, 500)) await insertUnique(store.models.Counters.group, chunk);
  const byLevel = new Map<CounterLevel, GuardedCounterWrite[]>();
  for (const c of w.counters) (byLevel.get(c.level) ?? byLevel.set(c.level, []).get(c.level)!).push(c);
  for (const [level, items] of byLevel) {
    const model = store.models.Counters[level];
    const fresh = items.filter((c) => !known.has(c.id));
    const created = fresh.length
      ? await insertUnique(model, fresh.map((c) => ({ _id: c.id, ...c.dims, ...positive(c.inc), f: c.flush, sUpTo: c.sUpTo, eUpTo: c.eUpTo })))
      : new Set<string>();
    for (const id of created) known.add(id);
    // the rest exist (known, or inserted by an earlier try of this flush or an earlier flush): incremented unless they hold it
    const rest = items.filter((c) => !created.has(c.id));
    for (const chunk of inChunks(rest)) {
      await model.bulkWrite(
        chunk.map((c) => ({
          updateOne: { filter: { _id: c.id, $or: [{ f: { $lt: c.flush } }, { f: { $exists: false } }] }, update: { $inc: positive(c.inc), $set: { f: c.flush, sUpTo: c.sUpTo, eUpTo: c.eUpTo } } },
        })),
        { ordered: false },
      );
      for (const c of chunk) known.add(c.id);
    }
  }
  await replaceSketches(store, w.sketches);
}

function positive(inc: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(inc).filter((e): e is [string, number] => !!e[1]));
}

async function replaceSketches(store: Store, sketches: TallyWrite['sketches']): Promise<void> {
  const byCut = new Map<AreaCut, TallyWrite['sketches'][number][]>();
  for (const s of sketches) (byCut.get(s.cut) ?? byCut.set(s.cut, []).get(s.cut)!).push(s);
  for (const [cut, items] of byCut) for (const chunk of inChunks(items)) {
    const ops = chunk.map((s) => ({
      replaceOne: {
        filter: { _id: s.id },
        replacement: { _id: s.id, kind: s.kind, ...s.dims, ...(s.doc.dense ? { dense: Buffer.from(s.doc.dense) } : { sparse: Buffer.from(s.doc.sparse ?? new Uint8Array()) }) } as SketchDocument,
        upsert: true,
      },
    }));
    await store.models.Sketches[cut].bulkWrite(ops, { ordered: false });
  }
}

/** Insert engagement events with their chosen `_id`s (a repeat of a write collides instead of counting twice). */
export async function insertEngagements(store: Store, events: readonly EngagementDoc[]): Promise<void> {
  for (const chunk of inChunks(events, 500)) await insertUnique(store.models.Engagement, chunk);
}

/** Where each counter document of a writer session stands: its last flush and how far its units reach in it. */
export async function sessionCounterMarks(store: Store, writer: string): Promise<Map<string, { f: number; sUpTo: number; eUpTo: number }>> {
  const out = new Map<string, { f: number; sUpTo: number; eUpTo: number }>();
  // every level but the group's (its documents are per unit: a repeat collides instead)
  for (const level of COUNTER_LEVELS.filter((l) => l !== 'group')) {
    for (const d of await store.models.Counters[level].find({ writer }, { _id: 1, f: 1, sUpTo: 1, eUpTo: 1 }).lean()) out.set(d._id, { f: d.f ?? 0, sUpTo: d.sUpTo ?? 0, eUpTo: d.eUpTo ?? 0 });
  }
  return out;
}

/** Engagement events of a writer session's units after `afterSeq` (their `_id` is `<session>:e<seq>:<n>`). */
export async function sessionEngagements(store: Store, session: string, afterSeq: number): Promise<(EngagementDoc & { seq: number })[]> {
  const prefix = `${session}:e`;
  const docs = (await store.models.Engagement.find({ _id: { $regex: `^${escapeRegex(prefix)}` } }).lean()) as EngagementDoc[];
  return docs.map((d) => ({ ...d, seq: Number(d._id.slice(prefix.length).split(':')[0]) })).filter((d) => d.seq > afterSeq);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A session starts counting. */
export async function openTallySession(store: Store, s: Pick<TallySessionDoc, '_id' | 'writer' | 'exitAfterMs'> & { at: Date }): Promise<void> {
  await insertUnique(store.models.TallySession, [{ _id: s._id, writer: s.writer, startedAt: s.at, seenAt: s.at, exitAfterMs: s.exitAfterMs, sUpTo: 0, eUpTo: 0, f: 0 }]);
}

/** A session lives (and, after a whole flush, how far its units are applied). */
export async function touchTallySession(store: Store, id: string, at: Date, done?: { f: number; sUpTo: number; eUpTo: number }): Promise<void> {
  await store.models.TallySession.updateOne({ _id: id }, { $set: { seenAt: at, ...(done ?? {}) } });
}

/** A session ended: its process stopped after writing everything, or another completed it (`adoptedBy`). */
export async function closeTallySession(store: Store, id: string, at: Date, adoptedBy?: string, done?: { f: number; sUpTo: number; eUpTo: number }): Promise<void> {
  await store.models.TallySession.updateOne({ _id: id }, { $set: { closedAt: at, seenAt: at, ...(adoptedBy ? { adoptedBy } : {}), ...(done ?? {}) } });
}

/** Sessions not closed yet. */
export async function openTallySessions(store: Store): Promise<TallySessionDoc[]> {
  return (await store.models.TallySession.find({ closedAt: { $exists: false } }).lean()) as TallySessionDoc[];
}

/** The engagement events of a day (`report check` counts them). */
export async function findEngagementsOfDay(store: Store, day: string): Promise<EngagementRecord[]> {
  return (await store.models.Engagement.find({ day }).lean()) as EngagementRecord[];
}

/** Counter documents of a level matching a filter (reports add them up in code: one scan, any number of measures). */
export async function findCounters(store: Store, level: CounterLevel, filter: Record<string, unknown>): Promise<CounterRecord[]> {
  return (await store.models.Counters[level].find(filter).lean()) as CounterRecord[];
}

export async function findSketches(store: Store, cut: AreaCut, filter: Record<string, unknown>): Promise<SketchRecord[]> {
  return (await store.models.Sketches[cut].find(filter).lean()) as SketchRecord[];
}
