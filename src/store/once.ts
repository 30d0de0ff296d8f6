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
