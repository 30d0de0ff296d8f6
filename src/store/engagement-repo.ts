import type { Store } from './connection.js';
import { inChunks } from './bulk.js';
import type { CounterDoc, SketchDocument } from './models/engagement.js';
import type { AreaCut, CounterLevel, EngagementDoc } from '../shared/counters.js';

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
  const byCut = new Map<AreaCut, TallyWrite['sketches'][number][]>();
  for (const s of w.sketches) {
    const list = byCut.get(s.cut) ?? [];
    list.push(s);
    byCut.set(s.cut, list);
  }
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

/** Counter documents of a level matching a filter (reports add them up in code: one scan, any number of measures). */
export async function findCounters(store: Store, level: CounterLevel, filter: Record<string, unknown>): Promise<CounterRecord[]> {
  return (await store.models.Counters[level].find(filter).lean()) as CounterRecord[];
}

export async function findSketches(store: Store, cut: AreaCut, filter: Record<string, unknown>): Promise<SketchRecord[]> {
  return (await store.models.Sketches[cut].find(filter).lean()) as SketchRecord[];
}
