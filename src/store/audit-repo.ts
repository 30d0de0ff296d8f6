import type { Store } from './connection.js';
import type { AuditDoc } from './models/audit.js';
import { chainEntry, signHead, type AuditEntry, type AuditFacts, type ChainHead } from '../shared/audit-chain.js';
import type { Signer } from '../shared/signing.js';
import { isDuplicateKey } from './once.js';

const toEntry = (d: AuditDoc): AuditEntry => {
  const { _id, ...rest } = d;
  const e: AuditEntry = { seq: _id, at: rest.at, actor: { id: rest.actor.id, name: rest.actor.name, via: rest.actor.via }, action: rest.action, target: { kind: rest.target.kind, id: rest.target.id }, prev: rest.prev, hash: rest.hash, keyId: rest.keyId, sig: rest.sig };
  if (rest.version !== undefined && rest.version !== null) e.version = rest.version;
  if (rest.reason !== undefined && rest.reason !== null) e.reason = rest.reason;
  if (rest.details !== undefined && rest.details !== null) e.details = rest.details;
  return e;
};

/**
 * Append an entry to the audit chain, signed. The entry's place is a unique
 * insert (`_id` = sequence number): two writers never take one place; the
 * one that loses reads the new end of the chain and tries again.
 */
export async function appendAudit(store: Store, signer: Signer, facts: AuditFacts): Promise<AuditEntry> {
  for (let attempt = 0; ; attempt++) {
    const last = await store.models.Audit.findOne({}, { _id: 1, hash: 1 }).sort({ _id: -1 }).lean();
    const entry = chainEntry(facts, last ? { seq: last._id, hash: last.hash } : undefined, signer);
    const { seq, ...rest } = entry;
    try {
      await store.models.Audit.collection.insertOne({ _id: seq, ...rest } as never);
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= 20) throw err;
      continue;
    }
    await advanceHead(store, signHead(entry, signer));
    return entry;
  }
}

/** Where the signed head is kept (a meta value: read by `_id`). */
const HEAD = 'audit-head';

/** Move the signed head to `head` unless another writer moved it past (compare-and-set on the value read). */
async function advanceHead(store: Store, head: ChainHead): Promise<void> {
  const v = JSON.stringify(head);
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await store.models.Meta.findOne({ _id: HEAD }).lean();
    if (current && (JSON.parse(current.v) as ChainHead).seq >= head.seq) return;
    try {
      if (current ? (await store.models.Meta.updateOne({ _id: HEAD, v: current.v }, { $set: { v } })).modifiedCount === 1 : (await store.models.Meta.create({ _id: HEAD, v }), true)) return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
}

/** The signed head of the chain, if any. */
export async function auditHead(store: Store): Promise<ChainHead | undefined> {
  const doc = await store.models.Meta.findOne({ _id: HEAD }).lean();
  return doc ? (JSON.parse(doc.v) as ChainHead) : undefined;
}

/** Audit entries, newest first (of one target, when given). */
export async function listAudit(store: Store, o: { target?: { kind: string; id: string }; limit?: number; before?: number } = {}): Promise<AuditEntry[]> {
  const filter: Record<string, unknown> = {};
  if (o.target) Object.assign(filter, { 'target.kind': o.target.kind, 'target.id': o.target.id });
  if (o.before !== undefined) filter['_id'] = { $lt: o.before };
  const docs = await store.models.Audit.find(filter).sort({ _id: -1 }).limit(o.limit ?? 200).lean();
  return (docs as AuditDoc[]).map(toEntry);
}

/** The whole chain in order (for verification). */
export async function wholeAudit(store: Store): Promise<AuditEntry[]> {
  return ((await store.models.Audit.find({}).sort({ _id: 1 }).lean()) as AuditDoc[]).map(toEntry);
}
