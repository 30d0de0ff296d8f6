import { Types } from 'mongoose';
import type { Store } from './connection.js';
import type { DeliveryStatus } from './models/deliveries.js';
import { sumBy } from './aggregate.js';
import { insertClaims } from './once.js';
import { inChunks } from './bulk.js';

export { DELIVERY_STATUSES, FINAL_STATUSES, type DeliveryStatus } from './models/deliveries.js';

/** A delivery the planner wants in the outbox. */
export interface PlannedDelivery {
  /** Chosen by the planner when the text must name the delivery (tracked links); else the database picks. */
  id?: string;
  runId: string;
  campaignId: string;
  groupId: string;
  roomId: string;
  botId: string;
  postId: string;
  contentHash: string;
  text: string;
  priority: 0 | 1;
  notBefore: Date;
  /** Planned by default; a target the planner could not serve is recorded as skipped or failed, with the reason. */
  status?: 'planned' | 'skipped' | 'failed';
  reason?: string;
}

/** A delivery a worker has claimed and must now send. */
export interface ClaimedDelivery extends PlannedDelivery {
  id: string;
  /** Claim number (only grows). */
  attempts: number;
  /** Failed sends so far (the retry budget). */
  failures: number;
  leaseUntil: Date;
}

/**
 * Write planned deliveries. Idempotent: (run, group) is unique, so planning
 * the same run twice adds nothing. Returns how many were new.
 */
export async function insertPlanned(store: Store, items: readonly PlannedDelivery[]): Promise<number> {
  if (items.length === 0) return 0;
  const docs = items.map(({ id, ...d }) => ({ ...d, ...(id ? { _id: new Types.ObjectId(id) } : {}), groupId: new Types.ObjectId(d.groupId), status: d.status ?? 'planned' }));
  try {
    const res = await store.models.Delivery.insertMany(docs, { ordered: false, rawResult: true });
    return res.insertedCount;
  } catch (err) {
    const e = err as { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[]; insertedDocs?: unknown[]; result?: { insertedCount?: number } };
    const writeErrors = e.writeErrors ?? [];
    const allDuplicates = writeErrors.length > 0 && writeErrors.every((w) => (w.code ?? w.err?.code) === 11000);
    if (e.code === 11000 || allDuplicates) return e.insertedDocs?.length ?? e.result?.insertedCount ?? 0;
    throw err;
  }
}

export interface ClaimOptions {
  botId: string;
  workerId: string;
  leaseMs: number;
  now: Date;
}

/**
 * Claim the next due delivery of a bot (urgent first): planned → sending with
 * a lease. The claim itself is the insert of a unique claim document, so two
 * workers never both win a delivery, on FerretDB v1 as on MongoDB.
 */
export async function claimNext(store: Store, o: ClaimOptions): Promise<ClaimedDelivery | undefined> {
  return (await claimBatch(store, { ...o, max: 1 }))[0];
}

/**
 * Claim up to `max` due deliveries of a bot in one go (urgent first, then by
 * not-before): one query, one insert of claim documents (the inserts that
 * succeed are ours), one update. Used to keep the database work per post small.
 */
export async function claimBatch(store: Store, o: ClaimOptions & { max: number }): Promise<ClaimedDelivery[]> {
  const lost: Types.ObjectId[] = [];
  for (let round = 0; round < 5; round++) {
    const candidates = await store.models.Delivery.find({ status: 'planned', botId: o.botId, notBefore: { $lte: o.now }, ...(lost.length ? { _id: { $nin: lost } } : {}) })
      .sort({ priority: -1, notBefore: 1 })
      .limit(Math.max(1, o.max))
      .lean();
    if (candidates.length === 0) return [];
    const claimIds = candidates.map((d) => `${String(d._id)}:${d.attempts + 1}`);
    const won = await insertClaims(store, claimIds.map((id, i) => ({ _id: id, deliveryId: String(candidates[i]!._id), workerId: o.workerId, at: o.now })));
    const mine = candidates.filter((_, i) => won.has(claimIds[i]!));
    candidates.forEach((d, i) => {
      if (!won.has(claimIds[i]!)) lost.push(d._id);
    });
    if (mine.length === 0) continue; // another worker took these: look at the next ones
    const leaseUntil = new Date(o.now.getTime() + o.leaseMs);
    for (const chunk of inChunks(mine)) {
      await store.models.Delivery.bulkWrite(
        chunk.map((d) => ({
          updateOne: {
            filter: { _id: d._id },
            update: { $set: { status: 'sending', leaseUntil, claimedBy: o.workerId, claimedAt: o.now, attempts: d.attempts + 1 } },
          },
        })),
        { ordered: false },
      );
    }
    return mine.map((doc) => ({
      id: String(doc._id),
      runId: doc.runId,
      campaignId: doc.campaignId,
      groupId: String(doc.groupId),
      roomId: doc.roomId,
      botId: doc.botId,
      postId: doc.postId,
      contentHash: doc.contentHash,
      text: doc.text,
      priority: doc.priority === 1 ? 1 : 0,
      notBefore: doc.notBefore,
      attempts: doc.attempts + 1,
      failures: doc.failures ?? 0,
      leaseUntil,
    }));
  }
  return [];
}

/** Is an urgent delivery of this bot due now? (A lane holding normal ones checks, so urgent ones go first.) */
export async function urgentDue(store: Store, botId: string, now: Date): Promise<boolean> {
  return (await store.models.Delivery.exists({ status: 'planned', botId, priority: 1, notBefore: { $lte: now } })) !== null;
}

export interface Completion {
  id: string;
  workerId: string;
  status: 'sent' | 'failed' | 'skipped' | 'unknown';
  reason?: string;
  reach?: number;
  sentAt?: Date;
  day?: string;
}

/** Write many completions in one round trip; each only if still claimed by its worker. */
export async function completeBatch(store: Store, items: readonly Completion[]): Promise<void> {
  for (const chunk of inChunks(items)) {
    const ops = chunk.map((c) => ({
      updateOne: {
        filter: { _id: new Types.ObjectId(c.id), status: 'sending' as const, claimedBy: c.workerId },
        update: {
          $set: {
            status: c.status,
            ...(c.reason ? { reason: c.reason } : {}),
            ...(c.status === 'sent' ? { reach: c.reach, sentAt: c.sentAt, day: c.day } : {}),
          },
          $unset: { leaseUntil: 1 },
        },
      },
    }));
    await store.models.Delivery.bulkWrite(ops, { ordered: false });
  }
}

/** Confirm a send: sending → sent, with reach and the Asia/Shanghai day. Only the claimer can confirm. */
export async function markSent(store: Store, id: string, workerId: string, result: { reach: number; sentAt: Date; day: string }): Promise<boolean> {
  const res = await store.models.Delivery.updateOne(
    { _id: new Types.ObjectId(id), status: 'sending', claimedBy: workerId },
    { $set: { status: 'sent', reach: result.reach, sentAt: result.sentAt, day: result.day }, $unset: { leaseUntil: 1 } },
  );
  return res.modifiedCount === 1;
}

/**
 * Claimed deliveries whose lease ran out were maybe sent, maybe not: they
 * become `unknown` and are never resent (a duplicate warning is worse than a
 * missing one). Returns how many.
 */
export async function expireLeases(store: Store, now: Date): Promise<number> {
  const res = await store.models.Delivery.updateMany(
    { status: 'sending', leaseUntil: { $lt: now } },
    { $set: { status: 'unknown', reason: 'worker stopped after claiming; lease expired, not resent' }, $unset: { leaseUntil: 1 } },
  );
  return res.modifiedCount;
}

/** Deliveries of a run by status. */
export async function countByStatus(store: Store, runId: string): Promise<Record<DeliveryStatus, number>> {
  const rows = await sumBy(store.models.Delivery, { runId }, '$status', { n: 1 });
  const out: Record<DeliveryStatus, number> = { planned: 0, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 };
  for (const r of rows) out[r.key as DeliveryStatus] = r.n;
  return out;
}

/** Sum of reach and count of sent deliveries of a run. */
export async function runReach(store: Store, runId: string): Promise<{ sent: number; reach: number }> {
  const rows = await sumBy(store.models.Delivery, { runId, status: 'sent' }, null, { sent: 1, reach: '$reach' });
  return { sent: rows[0]?.sent ?? 0, reach: rows[0]?.reach ?? 0 };
}

/** Skip every planned delivery to a group (e.g. the bot was removed), with the reason. Returns how many. */
export async function skipPlannedForGroup(store: Store, groupId: string, reason: string): Promise<number> {
  const res = await store.models.Delivery.updateMany({ groupId: new Types.ObjectId(groupId), status: 'planned' }, { $set: { status: 'skipped', reason } });
  return res.modifiedCount;
}

/** Move a group's planned deliveries from one bot to another member bot. */
export async function reassignPlannedForGroup(store: Store, groupId: string, fromBotId: string, toBotId: string): Promise<number> {
  const res = await store.models.Delivery.updateMany({ groupId: new Types.ObjectId(groupId), status: 'planned', botId: fromBotId }, { $set: { botId: toBotId } });
  return res.modifiedCount;
}

/** Deliveries since a time that count for caps and the repeat window (anything not skipped or failed). */
export async function recentDeliveries(store: Store, since: Date): Promise<{ groupId: string; postId: string; at: Date; priority: 0 | 1 }[]> {
  const docs = await store.models.Delivery.find(
    { status: { $in: ['planned', 'sending', 'sent', 'unknown'] }, notBefore: { $gte: since } },
    { groupId: 1, postId: 1, sentAt: 1, notBefore: 1, priority: 1 },
  ).lean();
  return docs.map((d) => ({ groupId: String(d.groupId), postId: d.postId, at: d.sentAt ?? d.notBefore, priority: d.priority === 1 ? 1 : 0 }));
}

/** Give a claimed delivery back for a retry after `notBefore` (the send failed, so it was not posted). */
export async function releaseForRetry(store: Store, id: string, workerId: string, notBefore: Date, reason: string, failed = true): Promise<boolean> {
  const res = await store.models.Delivery.updateOne(
    { _id: new Types.ObjectId(id), status: 'sending', claimedBy: workerId },
    {
      $set: { status: 'planned', notBefore, reason },
      $unset: { leaseUntil: 1, claimedBy: 1 },
      // `attempts` numbers the claims (it only grows); `failures` is the retry budget
      ...(failed ? { $inc: { failures: 1 } } : {}),
    },
  );
  return res.modifiedCount === 1;
}

/**
 * Planned deliveries whose bot is not online: move each to an online bot that
 * is a member of its group, or fail it with "no bot online in group".
 * `groupBots` gives the member bots of a group id. Returns the counts.
 */
export async function reassignOrphans(
  store: Store,
  online: ReadonlySet<string>,
  groupBots: (groupId: string) => Promise<string[]>,
): Promise<{ moved: number; failed: number }> {
  const orphans = await store.models.Delivery.find({ status: 'planned', botId: { $nin: [...online] } }, { groupId: 1, botId: 1 }).lean();
  let moved = 0;
  let failed = 0;
  const load = new Map<string, number>();
  const membersOf = new Map<string, string[]>();
  for (const d of orphans) {
    const groupId = String(d.groupId);
    if (!membersOf.has(groupId)) membersOf.set(groupId, await groupBots(groupId));
    const candidates = membersOf.get(groupId)!.filter((b) => online.has(b));
    if (candidates.length === 0) {
      const r = await store.models.Delivery.updateOne({ _id: d._id, status: 'planned' }, { $set: { status: 'failed', reason: 'no bot online in group' } });
      failed += r.modifiedCount;
      continue;
    }
    const to = candidates.reduce((a, b) => ((load.get(a) ?? 0) <= (load.get(b) ?? 0) ? a : b));
    load.set(to, (load.get(to) ?? 0) + 1);
    const r = await store.models.Delivery.updateOne({ _id: d._id, status: 'planned', botId: d.botId }, { $set: { botId: to } });
    moved += r.modifiedCount;
  }
  return { moved, failed };
}

/** When a bot posted (sent, or claimed and maybe sent) since a time, for its sliding limits. */
export async function sendTimesOfBot(store: Store, botId: string, since: Date): Promise<number[]> {
  const docs = await store.models.Delivery.find(
    { botId, $or: [{ status: 'sent', sentAt: { $gte: since } }, { status: { $in: ['unknown', 'sending'] }, claimedAt: { $gte: since } }] },
    { sentAt: 1, claimedAt: 1 },
  ).lean();
  return docs.map((d) => (d.sentAt ?? d.claimedAt)!.getTime());
}

/** Planned deliveries per bot (the queues). */
export async function queueDepths(store: Store): Promise<Map<string, number>> {
  const rows = await sumBy(store.models.Delivery, { status: 'planned' }, '$botId', { n: 1 });
  return new Map(rows.map((r) => [String(r.key), r.n]));
}

/** Sent deliveries per bot since a time. */
export async function sentSince(store: Store, since: Date): Promise<Map<string, number>> {
  const rows = await sumBy(store.models.Delivery, { status: 'sent', sentAt: { $gte: since } }, '$botId', { n: 1 });
  return new Map(rows.map((r) => [String(r.key), r.n]));
}

/** Rooms that got a sent delivery of these runs. */
export async function sentRoomIds(store: Store, runIds: readonly string[]): Promise<string[]> {
  const docs = await store.models.Delivery.find({ runId: { $in: [...runIds] }, status: 'sent' }, { roomId: 1 }).lean();
  return docs.map((d) => d.roomId);
}

/** A sent delivery, as engagement attribution needs it. */
export interface SentDelivery {
  deliveryId: string;
  groupId: string;
  botId: string;
  campaignId: string;
  postId: string;
  sentAt: Date;
}

/** Deliveries sent to a group since a time (engagement attribution falls back to this). */
export async function sentToGroupSince(store: Store, groupId: string, since: Date): Promise<SentDelivery[]> {
  const docs = await store.models.Delivery.find({ groupId: new Types.ObjectId(groupId), status: 'sent', sentAt: { $gte: since } }).lean();
  return docs.map((d) => ({ deliveryId: String(d._id), groupId, botId: d.botId, campaignId: d.campaignId, postId: d.postId, sentAt: d.sentAt! }));
}

/**
 * One delivery by id (a tracked link's click). A click proves the post went
 * out, so a delivery still `sending` (its confirmation not yet written) or
 * `unknown` counts too; planned, failed and skipped ones never had a link out.
 */
export async function findSentDelivery(store: Store, id: string): Promise<SentDelivery | undefined> {
  if (!Types.ObjectId.isValid(id)) return undefined;
  const d = await store.models.Delivery.findOne({ _id: new Types.ObjectId(id) }).lean();
  if (!d || !['sent', 'sending', 'unknown'].includes(d.status)) return undefined;
  const sentAt = d.sentAt ?? d.claimedAt;
  if (!sentAt) return undefined;
  return { deliveryId: id, groupId: String(d.groupId), botId: d.botId, campaignId: d.campaignId, postId: d.postId, sentAt };
}

/** A new delivery id, for a planner that needs it before the insert (tracked links carry it). */
export function newDeliveryId(): string {
  return new Types.ObjectId().toHexString();
}
