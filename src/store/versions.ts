import { randomUUID } from 'node:crypto';
import type { Store } from './connection.js';

/**
 * Versions of what several processes read ahead and keep: a value (a meta
 * document read by `_id`) that changes after every write to what it covers.
 * A read taken at version V is current while the version is still V: read
 * the version before the data, and bump it after the write.
 */
export type VersionKey = 'registry' | 'targeting' | 'campaigns' | 'caps';

/** The version now ('none' before the first write). */
export async function readVersion(store: Store, key: VersionKey): Promise<string> {
  return (await store.models.Meta.findOne({ _id: key }).lean())?.v ?? 'none';
}

/** Mark it changed, after the write (a fresh random value: concurrent writers can never leave it looking unchanged). */
export async function bumpVersion(store: Store, key: VersionKey): Promise<void> {
  await store.models.Meta.updateOne({ _id: key }, { $set: { v: randomUUID() } }, { upsert: true });
}
