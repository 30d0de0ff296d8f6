import type { Model } from 'mongoose';
import type { Store } from './connection.js';
import { deleteInSlices } from './bulk.js';

/**
 * Delete the raw records kept only for a while: tips (what members showed
 * the scam check) and engagement events older than `before`. Daily counters
 * and sketches stay: reports keep their history. FerretDB v1 has no TTL
 * indexes, so a worker does this; in slices of 500 (FerretDB v1 refuses a
 * delete of some thousands of documents at once). Returns how many of each.
 */
export async function forgetOldRecords(store: Store, before: Date): Promise<{ tips: number; engagements: number }> {
  return {
    tips: await deleteOlder(store.models.Tip as unknown as Model<{ _id: unknown; at: Date }>, before),
    engagements: await deleteOlder(store.models.Engagement as unknown as Model<{ _id: unknown; at: Date }>, before),
  };
}

function deleteOlder(model: Model<{ _id: unknown; at: Date }>, before: Date): Promise<number> {
  return deleteInSlices(model, { at: { $lt: before } });
}
