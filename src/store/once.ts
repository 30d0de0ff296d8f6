import type { Store } from './connection.js';

/**
 * Insert a claim document; true when this call created it, false when it
 * existed. A unique `_id` insert is the one write that is atomic on MongoDB
 * and FerretDB v1 alike, so every "exactly one worker wins" decision goes here.
 */
/** True for MongoDB's duplicate-key error (a unique index said no). */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

export async function insertClaim(store: Store, id: string, subject: string, workerId: string, at: Date): Promise<boolean> {
  try {
    await store.models.Claim.create({ _id: id, deliveryId: subject, workerId, at });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** True exactly once per key across all workers and restarts (e.g. "introduce the bot in group X"). */
export function firstTime(store: Store, key: string, workerId: string, now: Date): Promise<boolean> {
  return insertClaim(store, `once:${key}`, key, workerId, now);
}

/** Insert many claim documents at once; returns the ids this call created (duplicates are someone else's). */
export async function insertClaims(store: Store, docs: { _id: string; deliveryId: string; workerId: string; at: Date }[]): Promise<Set<string>> {
  const won = new Set(docs.map((d) => d._id));
  try {
    await store.models.Claim.insertMany(docs, { ordered: false });
  } catch (err) {
    const e = err as { writeErrors?: { index?: number; err?: { index?: number; code?: number }; code?: number }[]; code?: number };
    const errors = e.writeErrors ?? [];
    if (errors.length === 0 && !isDuplicateKey(err)) throw err;
    for (const w of errors) {
      if ((w.code ?? w.err?.code) !== 11000) throw err;
      const i = w.index ?? w.err?.index;
      if (i !== undefined) won.delete(docs[i]!._id);
    }
    if (errors.length === 0) {
      // a single duplicate reported without details: find out which exist
      const existing = await store.models.Claim.find({ _id: { $in: docs.map((d) => d._id) }, workerId: { $ne: docs[0]!.workerId } }, { _id: 1 }).lean();
      for (const x of existing) won.delete(x._id);
    }
  }
  return won;
}
