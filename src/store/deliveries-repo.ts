import { Types } from 'mongoose';
import type { Store } from './connection.js';
import type { DeliveryEventDoc, DeliveryEventRow, PlannedRecord, SentBatchDoc } from '../shared/outbox-records.js';
import { sumBy } from './aggregate.js';
import { insertUnique } from './once.js';
import { bumpVersion, readVersion } from './versions.js';

/**
 * The outbox's documents: `deliveries` (written once by the planner) and
 * `delivery_events` (every later change, inserted, never updated). Only
 * reads and inserts here; what they mean — states, claims, failover — is
 * the outbox's (src/outbox/). Nothing here updates a document: on FerretDB
 * v1 an update costs time proportional to the collection and is not atomic;
 * inserts are cheap and a unique insert is atomic on both servers.
 */

/** Which deliveries to read: by run(s), campaign, group, or planned time. */
export interface DeliveryFilter {
  runIds?: readonly string[];
  campaignId?: string;
  groupId?: string;
  /** Planned (not-before) at or after this time. */
  since?: Date;
  /** Leave each post's text out (most of a delivery's bytes; caps need none of it): records come with text ''. */
  withoutText?: boolean;
}

/** Insert planned records (ids chosen by the caller); returns the ids this call wrote (an id that exists was written before). */
export async function insertDeliveryRecords(store: Store, records: readonly PlannedRecord[], at: Date): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  // fields set one by one: object rest (`{ id, claim, ...d }`) is some twenty times slower in V8, on every planned delivery
  const docs = records.map((d) => {
    const doc: { _id: Types.ObjectId } & Record<string, unknown> = {
      _id: new Types.ObjectId(d.id), runId: d.runId, campaignId: d.campaignId, groupId: new Types.ObjectId(d.groupId), roomId: d.roomId, botId: d.botId,
      postId: d.postId, contentHash: d.contentHash, text: d.text, priority: d.priority, status: d.status, notBefore: d.notBefore, createdAt: at,
    };
    if (d.reason) doc['reason'] = d.reason;
    if (d.quiet) doc['quiet'] = { from: d.quiet.from, to: d.quiet.to };
    if (d.validUntil) doc['validUntil'] = d.validUntil;
    if (d.claim) {
      doc['claimedBy'] = d.claim.workerId;
      doc['claimedAt'] = d.claim.at;
      doc['leaseUntil'] = d.claim.leaseUntil;
    }
    return doc;
  });
  const won = await changingCaps(store, () => insertUnique(store.models.Delivery, docs));
  return new Set(docs.filter((d) => won.has(d._id)).map((d) => d._id.toHexString()));
}

/**
 * The caps version: it changes after every write that changes what caps and
 * the repeat window count — deliveries planned, failed, skipped, given back
 * (a retry may move one to another day) or `unknown` — in any process, so a
 * caps history read ahead of a due time is known to be still true (see
 * versions.ts). A claim, a send or a move leaves it: a send changes only when
 * a counted post went out, by less than the read ahead.
 */
export const capsVersion = (store: Store): Promise<string> => readVersion(store, 'caps');

/** Run a write that changes what caps count, then bump the caps version (also when the write failed: part of it may be in). */
async function changingCaps<T>(store: Store, write: () => Promise<T>): Promise<T> {
  let out: T;
  try {
    out = await write();
  } catch (err) {
    await bumpVersion(store, 'caps').catch(() => undefined);
    throw err;
  }
  await bumpVersion(store, 'caps');
  return out;
}

type DeliveryRow = {
  _id: unknown; runId: string; campaignId: string; groupId: unknown; roomId: string; botId: string; postId: string; contentHash: string; text: string;
  priority?: number | null; notBefore: Date; status?: string | null; reason?: string | null; claimedBy?: string | null; claimedAt?: Date | null; leaseUntil?: Date | null;
  quiet?: { from?: string | null; to?: string | null } | null;
  validUntil?: Date | null;
};

function toRecord(row: DeliveryRow): PlannedRecord {
  // documents written before the outbox became insert-only carry their outcome in place
  const d = row as DeliveryRow & { reach?: number; sentAt?: Date; day?: string };
  const status: PlannedRecord['status'] =
    d.status === 'skipped' || d.status === 'failed' || d.status === 'sent' || d.status === 'unknown' ? d.status : d.status === 'sending' ? 'unknown' : 'planned';
  return {
    id: String(d._id), runId: d.runId, campaignId: d.campaignId, groupId: String(d.groupId), roomId: d.roomId, botId: d.botId, postId: d.postId,
    contentHash: d.contentHash, text: d.text ?? '', priority: d.priority === 1 ? 1 : 0, notBefore: d.notBefore, status, reason: d.reason ?? undefined,
    ...(status === 'sent' ? { reach: d.reach, sentAt: d.sentAt, day: d.day } : {}),
    ...(d.quiet?.from && d.quiet.to ? { quiet: { from: d.quiet.from, to: d.quiet.to } } : {}),
    ...(d.validUntil ? { validUntil: d.validUntil } : {}),
    ...(status === 'planned' && d.claimedBy && d.claimedAt && d.leaseUntil ? { claim: { workerId: d.claimedBy, at: d.claimedAt, leaseUntil: d.leaseUntil } } : {}),
  };
}

/** The planned records a filter picks. */
export async function findPlannedRecords(store: Store, f: DeliveryFilter): Promise<PlannedRecord[]> {
  const match: Record<string, unknown> = {};
  if (f.runIds) match['runId'] = { $in: [...f.runIds] };
  if (f.campaignId) match['campaignId'] = f.campaignId;
  if (f.groupId) match['groupId'] = new Types.ObjectId(f.groupId);
  if (f.since) match['notBefore'] = { $gte: f.since };
  return (await store.models.Delivery.find(match, f.withoutText ? { text: 0 } : undefined).lean()).map(toRecord);
}

/** One planned record by id (a tracked link's click reads only by `_id`). */
export async function findPlannedRecord(store: Store, id: string): Promise<PlannedRecord | undefined> {
  if (!Types.ObjectId.isValid(id)) return undefined;
  const d = await store.models.Delivery.findOne({ _id: new Types.ObjectId(id) }).lean();
  return d ? toRecord(d) : undefined;
}

/** Every event row of these runs (sent batches included). */
export async function findEventRows(store: Store, runIds: readonly string[]): Promise<DeliveryEventRow[]> {
  return (await store.models.DeliveryEvent.find({ runId: { $in: [...runIds] } }).lean()) as DeliveryEventRow[];
}

/** One event by `_id` (`<deliveryId>:<seq>`). */
export async function findEvent(store: Store, id: string): Promise<DeliveryEventDoc | undefined> {
  return ((await store.models.DeliveryEvent.findOne({ _id: id }).lean()) as DeliveryEventDoc | null) ?? undefined;
}

/** Event kinds that change what caps count (see capsVersion). */
const CHANGES_CAPS = new Set<DeliveryEventRow['kind']>(['failed', 'skipped', 'retry', 'unknown']);

/** Insert event rows (unique `_id`s) in one insert; returns the `_id`s this call wrote (a duplicate lost: someone changed that delivery first). */
export function insertEventRows(store: Store, rows: readonly DeliveryEventRow[]): Promise<Set<string>> {
  const insert = (): Promise<Set<string>> => insertUnique<DeliveryEventRow>(store.models.DeliveryEvent, rows);
  return rows.some((r) => CHANGES_CAPS.has(r.kind)) ? changingCaps(store, insert) : insert();
}

/** Events of bots since a time, and deliveries claimed when they were written since then (their claim is in the document): what send times are folded from. */
export async function findBotActivitySince(store: Store, since: Date): Promise<{ rows: DeliveryEventRow[]; claimedAtPlanning: { deliveryId: string; botId: string; claimedAt: Date }[] }> {
  const rows = await store.models.DeliveryEvent.find({ at: { $gte: since }, botId: { $exists: true } }, { deliveryId: 1, seq: 1, kind: 1, at: 1, botId: 1, sentAt: 1, items: 1, runId: 1 }).lean();
  const claimed = await store.models.Delivery.find({ claimedAt: { $gte: since } }, { botId: 1, claimedAt: 1 }).lean();
  return { rows: rows as DeliveryEventRow[], claimedAtPlanning: claimed.map((d) => ({ deliveryId: String(d._id), botId: d.botId, claimedAt: d.claimedAt! })) };
}

/** Sent posts per bot since a time. */
export async function sentCountsSince(store: Store, since: Date): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  // sent batches by when they were written (each within a second of its posts), single sent events by send time
  const [batched, single] = await Promise.all([
    sumBy(store.models.DeliveryEvent, { kind: 'sent-batch', at: { $gte: since } }, '$botId', { n: '$count' }),
    sumBy(store.models.DeliveryEvent, { kind: 'sent', sentAt: { $gte: since } }, '$botId', { n: 1 }),
  ]);
  for (const r of [...batched, ...single]) out.set(String(r.key), (out.get(String(r.key)) ?? 0) + r.n);
  return out;
}

/** The sent batches a tally session's units hold (`unit` = `<session>:s<seq>`), after unit `afterSeq`, with their unit's number. */
export async function findSessionSentBatches(store: Store, session: string, afterSeq: number): Promise<(SentBatchDoc & { seq: number })[]> {
  const prefix = `${session}:s`;
  const rows = (await store.models.DeliveryEvent.find({ kind: 'sent-batch', unit: { $regex: `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` } }).lean()) as (SentBatchDoc & { unit?: string })[];
  return rows.map((r) => ({ ...r, seq: Number((r.unit ?? '').slice(prefix.length)) })).filter((r) => r.seq > afterSeq);
}

/** Sent batches whose items were sent on a day (`report check` recomputes the day from them), and sent events of that day. */
export async function findSentRowsOfDay(store: Store, day: string): Promise<DeliveryEventRow[]> {
  const rows = (await store.models.DeliveryEvent.find({ kind: { $in: ['sent-batch', 'sent'] } }).lean()) as DeliveryEventRow[];
  return rows.filter((r) => (r.kind === 'sent-batch' ? r.items.some((i) => i.day === day) : r.day === day));
}

/** Sent events and sent batches that name a group since a time. */
export async function findSentRowsOfGroup(store: Store, groupId: string, since: Date): Promise<DeliveryEventRow[]> {
  return (await store.models.DeliveryEvent.find({ $or: [{ kind: 'sent', groupId, sentAt: { $gte: since } }, { kind: 'sent-batch', groupIds: groupId, at: { $gte: since } }] }).lean()) as DeliveryEventRow[];
}
