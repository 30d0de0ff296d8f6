import { deleteInSlices } from './bulk.js';
import type { Model } from 'mongoose';
import type { Store } from './connection.js';

/** True for MongoDB's duplicate-key error (a unique index said no). */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

/**
 * Insert one document with a chosen unique `_id`; true when this call
 * created it, false when it existed. A unique `_id` insert is the one write
 * that is atomic on MongoDB and FerretDB v1 alike, so every "exactly one
 * worker wins" decision goes through here or `insertUnique`.
 */
export async function insertOnce<D extends { _id: string }>(model: Pick<Model<unknown>, 'collection'>, doc: D): Promise<boolean> {
  return (await insertUnique(model, [doc])).size === 1;
}

/** Insert a claim document (see `insertOnce`). */
export function insertClaim(store: Store, id: string, subject: string, workerId: string, at: Date): Promise<boolean> {
  return insertOnce(store.models.Claim, { _id: id, deliveryId: subject, workerId, at });
}

/** True exactly once per key across all workers and restarts (e.g. "introduce the bot in group X"). */
export function firstTime(store: Store, key: string, workerId: string, now: Date): Promise<boolean> {
  return insertClaim(store, `once:${key}`, key, workerId, now);
}

/** The `firstTime` key of an inbound message a bot acts on (answers, obeys): once across workers and restarts. */
export const messageOnceKey = (botId: string, messageId: string): string => `msg:${botId}:${messageId}`;

/**
 * Forget the keys of inbound messages acted on more than `keepMs` ago (a
 * replay older than ten minutes is ignored anyway); returns how many. In
 * slices: FerretDB v1 refuses a delete of some thousands of documents at once.
 */
export async function forgetMessageKeys(store: Store, now: Date, keepMs = 86_400_000): Promise<number> {
  const filter = { _id: { $regex: '^once:msg:' }, at: { $lt: new Date(now.getTime() - keepMs) } };
  return deleteInSlices(store.models.Claim, filter);
}

/**
 * Insert documents with chosen unique `_id`s, unordered; returns the ids this
 * call created (the documents' own `_id` values). A duplicate means another writer got there first (that is the
 * point); any other error is thrown.
 */
export async function insertUnique<D extends { _id: unknown }>(model: Pick<Model<unknown>, 'collection'>, docs: readonly D[]): Promise<Set<D['_id']>> {
  const won = new Set(docs.map((d) => d._id));
  if (docs.length === 0) return won;
  try {
    await model.collection.insertMany(docs as never[], { ordered: false });
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
      // a duplicate without per-document details: only a lone document can be told apart
      if (docs.length !== 1) throw err;
      won.clear();
    }
  }
  return won;
}
