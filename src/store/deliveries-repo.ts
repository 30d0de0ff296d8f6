import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { Store } from './connection.js';
import { FINAL_STATUSES, type DeliveryStatus } from '../shared/outbox-records.js';
import type { DeliveryEventDoc, DeliveryEventKind, DeliveryEventRow, SentBatchDoc } from '../shared/outbox-records.js';
import { sumBy } from './aggregate.js';
import { insertUnique } from './once.js';
import { ensureRuns, openRuns } from './runs-repo.js';
import { applyEvent, bySeq, deliveryEvents, foldDeliveries, initialState, type DeliveryState, type PlannedRecord } from '../outbox/delivery-state.js';

export { DELIVERY_STATUSES, FINAL_STATUSES, type DeliveryStatus } from '../shared/outbox-records.js';
export type { DeliveryState } from '../outbox/delivery-state.js';

/**
 * The outbox. Deliveries are inserted once by the planner; every later change
 * is an inserted event whose `_id` (`<deliveryId>:<seq>`) makes concurrent
 * changes of the same state collide, so exactly one wins. Nothing here
 * updates a document: on FerretDB v1 an update costs time proportional to
 * the collection and is not atomic; inserts are cheap and a unique insert is
 * atomic on both servers (see ARCHITECTURE.md).
 */

/** A delivery the planner wants in the outbox (a planned record whose id may still be chosen here). */
export interface PlannedDelivery extends Omit<PlannedRecord, 'id' | 'status' | 'reason'> {
  /** `deliveryIdFor(runId, groupId)` unless given. */
  id?: string;
  /** Planned by default; a target the planner could not serve is recorded as skipped or failed, with the reason. */
  status?: 'planned' | 'skipped' | 'failed';
  reason?: string;
}

/**
 * A delivery's id, from its run and group: the group's id XOR a key hashed
 * from the run id (a bijection per run, so two groups of one run never share
 * an id). Known before the insert (tracked links name it), and planning a run
 * twice writes nothing new: the `_id` says no, with no second unique index to
 * maintain on every insert.
 */
export function deliveryIdFor(runId: string, groupId: string): string {
  if (runKey.runId !== runId) runKey = { runId, key: createHash('sha256').update(runId).digest().subarray(0, 12) };
  const g = Buffer.from(groupId, 'hex');
  for (let i = 0; i < 12; i++) g[i]! ^= runKey.key[i]!;
  return g.toString('hex');
}
let runKey: { runId: string; key: Buffer } = { runId: '', key: Buffer.alloc(12) };

/**
 * Write planned deliveries. Idempotent: the id comes from (run, group), so
 * planning the same run twice adds nothing. Returns the deliveries this call wrote,
 * as states (what a local dispatcher can start sending at once).
 */
export async function insertPlanned(store: Store, items: readonly PlannedDelivery[]): Promise<DeliveryState[]> {
  if (items.length === 0) return [];
  if (items.some((d) => d.claim && (d.status ?? 'planned') !== 'planned')) throw new Error('only a planned delivery can be claimed when it is written');
  const at = new Date();
  const ids = items.map((d) => d.id ?? deliveryIdFor(d.runId, d.groupId));
  // fields set one by one: object rest (`{ id, claim, ...d }`) is some twenty times slower in V8, on every planned delivery
  const docs = items.map((d, i) => {
    const doc: { _id: Types.ObjectId } & Record<string, unknown> = {
      _id: new Types.ObjectId(ids[i]!), runId: d.runId, campaignId: d.campaignId, groupId: new Types.ObjectId(d.groupId), roomId: d.roomId, botId: d.botId,
      postId: d.postId, contentHash: d.contentHash, text: d.text, priority: d.priority, status: d.status ?? 'planned', notBefore: d.notBefore, createdAt: at,
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
  const runs = new Map(items.map((r) => [r.runId, { id: r.runId, campaignId: r.campaignId, at: r.notBefore }]));
  await ensureRuns(store, [...runs.values()], at);
  const won = await insertUnique(store.models.Delivery, docs);
  const out: DeliveryState[] = [];
  items.forEach((d, i) => {
    if (!won.has(docs[i]!._id)) return;
    // a planned delivery has every field of a record but maybe its id and status
    const s = initialState(d as PlannedRecord);
    s.id = ids[i]!;
    if (!d.claim) s.status = d.status ?? 'planned';
    out.push(s);
  });
  return out;
}

/** Which deliveries to read: by run(s), group, or planned time. */
export interface DeliveryFilter {
  runIds?: readonly string[];
  campaignId?: string;
  groupId?: string;
  /** Planned (not-before) at or after this time. */
  since?: Date;
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
    contentHash: d.contentHash, text: d.text, priority: d.priority === 1 ? 1 : 0, notBefore: d.notBefore, status, reason: d.reason ?? undefined,
    ...(status === 'sent' ? { reach: d.reach, sentAt: d.sentAt, day: d.day } : {}),
    ...(d.quiet?.from && d.quiet.to ? { quiet: { from: d.quiet.from, to: d.quiet.to } } : {}),
    ...(d.validUntil ? { validUntil: d.validUntil } : {}),
    ...(status === 'planned' && d.claimedBy && d.claimedAt && d.leaseUntil ? { claim: { workerId: d.claimedBy, at: d.claimedAt, leaseUntil: d.leaseUntil } } : {}),
  };
}

/** Current states of the deliveries a filter picks: planned documents folded with their events. */
export async function loadDeliveries(store: Store, f: DeliveryFilter): Promise<DeliveryState[]> {
  const match: Record<string, unknown> = {};
  if (f.runIds) match['runId'] = { $in: [...f.runIds] };
  if (f.campaignId) match['campaignId'] = f.campaignId;
  if (f.groupId) match['groupId'] = new Types.ObjectId(f.groupId);
  if (f.since) match['notBefore'] = { $gte: f.since };
  const planned = (await store.models.Delivery.find(match).lean()).map(toRecord);
  if (planned.length === 0) return [];
  const runIds = [...new Set(planned.map((p) => p.runId))];
  const events = await store.models.DeliveryEvent.find({ runId: { $in: runIds } }).lean();
  return foldDeliveries(planned, events);
}

/** The event that changes a delivery from the state given (its `_id` collides with any other change of that state). */
export function nextEvent(s: DeliveryState, kind: DeliveryEventKind, at: Date, fields: Partial<DeliveryEventDoc> = {}): DeliveryEventDoc {
  const seq = s.seq + 1;
  return { _id: `${s.id}:${seq}`, deliveryId: s.id, runId: s.runId, seq, kind, at, ...fields };
}

/**
 * Append events in one insert; returns the states they produced for the
 * events that won (an event whose `_id` exists lost: someone changed that
 * delivery first).
 */
export async function appendEvents(store: Store, changes: readonly { state: DeliveryState; event: DeliveryEventDoc }[]): Promise<DeliveryState[]> {
  const won = await insertEvents(store, changes.map((c) => c.event));
  return changes.filter((c) => won.has(c.event._id)).map((c) => applyEvent(c.state, c.event));
}

/**
 * Insert events in one insert; returns the `_id`s of those that won. `sent`
 * events go in as sent batches, one document per bot and run (see
 * SentBatchDoc): they always win.
 */
export async function insertEvents(store: Store, events: readonly DeliveryEventDoc[]): Promise<Set<string>> {
  const unique = events.filter((e) => e.kind !== 'sent');
  const sent = events.filter((e) => e.kind === 'sent');
  const won = await insertUnique<DeliveryEventRow>(store.models.DeliveryEvent, [...unique, ...sentBatches(sent)]);
  for (const e of sent) won.add(e._id);
  return won;
}

/** `sent` events grouped into one document per bot and run. Pure. */
export function sentBatches(events: readonly DeliveryEventDoc[]): SentBatchDoc[] {
  const byBotAndRun = new Map<string, DeliveryEventDoc[]>();
  for (const e of events) {
    const key = `${e.runId} ${e.botId}`;
    (byBotAndRun.get(key) ?? byBotAndRun.set(key, []).get(key)!).push(e);
  }
  return [...byBotAndRun.values()].map((list) => {
    const first = list[0]!;
    const items = list.map((e) => ({ deliveryId: e.deliveryId, seq: e.seq, groupId: e.groupId ?? '', postId: e.postId ?? '', reach: e.reach ?? 0, sentAt: e.sentAt ?? e.at, day: e.day ?? '' }));
    return {
      _id: `sent:${new Types.ObjectId().toHexString()}`, kind: 'sent-batch', runId: first.runId, campaignId: first.campaignId ?? '', botId: first.botId ?? '', workerId: first.workerId ?? '',
      at: list.reduce((latest, e) => (e.at > latest ? e.at : latest), first.at), items, groupIds: [...new Set(items.map((i) => i.groupId))], count: items.length,
    };
  });
}

export interface ClaimOptions {
  workerId: string;
  leaseMs: number;
  now: Date;
}

/**
 * A worker that sends what it plans: the planner writes up to `room(botId)`
 * of a bot's next due deliveries already claimed by `claim()` (the claim is
 * event 1, kept in the delivery document), so they cost no claim event and
 * go straight to the bot's lane.
 */
export interface ClaimAhead {
  /** How many more deliveries of this bot the worker would claim right now (0: queue them as planned). */
  room(botId: string): number;
  claim(): NonNullable<PlannedRecord['claim']>;
}

/**
 * The dispatcher of the planner's own worker: it has room for deliveries
 * claimed as they are written (`claimAhead`) and takes each chunk once it is
 * in the outbox (`enqueue`). The two go together: a delivery claimed for a
 * worker that is not handed it would only become `unknown`.
 */
export interface LocalSender {
  claimAhead(): ClaimAhead;
  enqueue(states: readonly DeliveryState[]): void;
}

/**
 * Claim planned deliveries (planned → sending, with a lease) before sending
 * them: one insert of claim events. Returns the ones this call won; a lost one
 * changed since the caller read it (claimed, moved or skipped by someone else).
 */
export function claimDeliveries(store: Store, states: readonly DeliveryState[], o: ClaimOptions): Promise<DeliveryState[]> {
  return appendEvents(store, claimChanges(states, o));
}

/** The claim events for planned deliveries (for a writer that batches them with other events). */
export function claimChanges(states: readonly DeliveryState[], o: ClaimOptions): { state: DeliveryState; event: DeliveryEventDoc }[] {
  const leaseUntil = new Date(o.now.getTime() + o.leaseMs);
  return states.filter((s) => s.status === 'planned').map((s) => ({ state: s, event: nextEvent(s, 'claim', o.now, { workerId: o.workerId, botId: s.botId, leaseUntil }) }));
}

/**
 * Planned deliveries by due order: urgent first, then by not-before. Shared
 * by the dispatcher's queue and the one-shot claim below.
 */
export function byDueOrder(a: DeliveryState, b: DeliveryState): number {
  return b.priority - a.priority || a.notBefore.getTime() - b.notBefore.getTime();
}

/** Claim the next due delivery of a bot from the database (tools and tests; workers claim from their queue). */
export async function claimNext(store: Store, o: ClaimOptions & { botId: string }): Promise<DeliveryState | undefined> {
  const due = (await openDeliveries(store)).filter((s) => s.status === 'planned' && s.botId === o.botId && s.notBefore <= o.now).sort(byDueOrder);
  for (const s of due) {
    const [won] = await claimDeliveries(store, [s], o);
    if (won) return won;
  }
  return undefined;
}

/** The deliveries of every open run, in their current state (workers' sweep), and which runs are done. */
export async function openDeliveries(store: Store): Promise<DeliveryState[]> {
  const runs = await openRuns(store);
  return runs.length ? loadDeliveries(store, { runIds: runs.map((r) => r.id) }) : [];
}

/** Open runs that are planned and whose deliveries are all final (`states` as a sweep read them): they can be closed. */
export async function finishedRuns(store: Store, states: readonly DeliveryState[]): Promise<string[]> {
  const open = new Set(states.filter((s) => !FINAL.has(s.status)).map((s) => s.runId));
  return (await openRuns(store)).filter((r) => r.planned && !open.has(r.id)).map((r) => r.id);
}
const FINAL = new Set<DeliveryStatus>(FINAL_STATUSES);

/** The outcome of a claimed delivery. */
export interface Outcome {
  status: 'sent' | 'failed' | 'skipped' | 'unknown';
  reason?: string;
  reach?: number;
  sentAt?: Date;
  day?: string;
}

/** The event that records a claimed delivery's outcome (what engagement attribution needs travels with `sent`). */
export function outcomeEvent(s: DeliveryState, o: Outcome, workerId: string, at: Date): DeliveryEventDoc {
  const sent = o.status === 'sent' ? { reach: o.reach, sentAt: o.sentAt, day: o.day, groupId: s.groupId, campaignId: s.campaignId, postId: s.postId } : {};
  return nextEvent(s, o.status, at, { workerId, botId: s.botId, ...(o.reason ? { reason: o.reason } : {}), ...sent });
}

/** The event that gives a claimed delivery back to the queue, due at `notBefore` (a failed send, or handed back unsent). */
export function retryEvent(s: DeliveryState, notBefore: Date, reason: string, failed: boolean, workerId: string, at: Date): DeliveryEventDoc {
  return nextEvent(s, 'retry', at, { workerId, botId: s.botId, notBefore, reason, failed });
}

/**
 * Claimed deliveries whose lease ran out were maybe sent, maybe not: they
 * become `unknown` and are never resent (a duplicate warning is worse than a
 * missing one). Works on states the caller read; returns the new states.
 */
export function expireLeases(store: Store, states: readonly DeliveryState[], now: Date): Promise<DeliveryState[]> {
  const expired = states.filter((s) => s.status === 'sending' && s.leaseUntil && s.leaseUntil < now);
  return appendEvents(store, expired.map((s) => ({ state: s, event: nextEvent(s, 'unknown', now, { botId: s.botId, reason: 'worker stopped after claiming; lease expired, not resent' }) })));
}

/** Deliveries of a run by status. */
export async function countByStatus(store: Store, runId: string): Promise<Record<DeliveryStatus, number>> {
  return (await runOutcome(store, runId)).counts;
}

/** A run's deliveries by status, and those that did not go out (failed, skipped, unknown) by status and reason. */
export async function runOutcome(store: Store, runId: string): Promise<{ counts: Record<DeliveryStatus, number>; notSent: { status: DeliveryStatus; reason: string; deliveries: number }[] }> {
  const counts: Record<DeliveryStatus, number> = { planned: 0, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 };
  const why = new Map<string, { status: DeliveryStatus; reason: string; deliveries: number }>();
  for (const s of await loadDeliveries(store, { runIds: [runId] })) {
    counts[s.status]++;
    if (s.status !== 'failed' && s.status !== 'skipped' && s.status !== 'unknown') continue;
    const reason = s.reason ?? '';
    const key = `${s.status}\u0000${reason}`;
    const row = why.get(key) ?? why.set(key, { status: s.status, reason, deliveries: 0 }).get(key)!;
    row.deliveries++;
  }
  return { counts, notSent: [...why.values()].sort((a, b) => b.deliveries - a.deliveries) };
}

/** Sum of reach and count of sent deliveries of a run. */
export async function runReach(store: Store, runId: string): Promise<{ sent: number; reach: number }> {
  const sent = (await loadDeliveries(store, { runIds: [runId] })).filter((s) => s.status === 'sent');
  return { sent: sent.length, reach: sent.reduce((a, s) => a + (s.reach ?? 0), 0) };
}

/** Change every planned delivery of a group (skip it, move it to another bot, or follow its new room id). Returns the changed states. */
async function changePlannedOfGroup(store: Store, groupId: string, pick: (s: DeliveryState) => boolean, event: (s: DeliveryState) => DeliveryEventDoc): Promise<DeliveryState[]> {
  const planned = (await loadDeliveries(store, { groupId })).filter((s) => s.status === 'planned' && pick(s));
  return appendEvents(store, planned.map((s) => ({ state: s, event: event(s) })));
}

/** Skip planned deliveries (states the caller read), with the reason; returns the new states of those skipped. */
export function skipPlanned(store: Store, states: readonly DeliveryState[], reason: string, now = new Date()): Promise<DeliveryState[]> {
  return appendEvents(store, states.filter((s) => s.status === 'planned').map((s) => ({ state: s, event: nextEvent(s, 'skipped', now, { reason }) })));
}

/** Skip every planned delivery to a group (e.g. the bot was removed), with the reason. */
export async function skipPlannedForGroup(store: Store, groupId: string, reason: string, now = new Date()): Promise<DeliveryState[]> {
  return skipPlanned(store, await loadDeliveries(store, { groupId }), reason, now);
}

/** Move a group's planned deliveries from one bot to another member bot. */
export function reassignPlannedForGroup(store: Store, groupId: string, fromBotId: string, toBotId: string, now = new Date()): Promise<DeliveryState[]> {
  return changePlannedOfGroup(store, groupId, (s) => s.botId === fromBotId, (s) => nextEvent(s, 'moved', now, { botId: toBotId }));
}

/** A group came back under a new room id: its planned deliveries follow. */
export function reroutePlannedForGroup(store: Store, groupId: string, roomId: string, now = new Date()): Promise<DeliveryState[]> {
  return changePlannedOfGroup(store, groupId, (s) => s.roomId !== roomId, (s) => nextEvent(s, 'moved', now, { roomId }));
}

/**
 * Deliveries since a time that count for caps and the repeat window (anything
 * not skipped or failed), other than a run's own (`exceptRunId`: the run being
 * planned), each at when it went out or will: its send time; its claim time
 * when it may have gone out (`unknown`); for one still waiting, its not-before
 * time or, when that has passed, `now` (an earlier run's post that a bot has
 * not reached yet goes out today, not on its planned day).
 */
export async function recentDeliveries(store: Store, since: Date, now: Date, exceptRunId?: string): Promise<{ groupId: string; postId: string; at: Date; priority: 0 | 1 }[]> {
  const live = (await loadDeliveries(store, { since })).filter((s) => s.status !== 'skipped' && s.status !== 'failed' && s.runId !== exceptRunId);
  const at = (s: DeliveryState): Date => s.sentAt ?? (s.status === 'unknown' && s.claimedAt ? s.claimedAt : s.notBefore > now ? s.notBefore : now);
  return live.map((s) => ({ groupId: s.groupId, postId: s.postId, at: at(s), priority: s.priority }));
}

/**
 * Planned deliveries whose bot is not online: move each to an online bot that
 * is a member of its group, or fail it with "no bot online in group".
 * `groupBots` gives the member bots of a group id. Works on states the caller
 * read; returns the new states and the counts.
 */
export async function reassignOrphans(
  store: Store,
  states: readonly DeliveryState[],
  online: ReadonlySet<string>,
  groupBots: (groupId: string) => Promise<string[]>,
  now = new Date(),
): Promise<{ moved: number; failed: number; changed: DeliveryState[] }> {
  const orphans = states.filter((s) => s.status === 'planned' && !online.has(s.botId));
  const load = new Map<string, number>();
  const membersOf = new Map<string, string[]>();
  const changes: { state: DeliveryState; event: DeliveryEventDoc }[] = [];
  for (const s of orphans) {
    if (!membersOf.has(s.groupId)) membersOf.set(s.groupId, await groupBots(s.groupId));
    const candidates = membersOf.get(s.groupId)!.filter((b) => online.has(b));
    if (candidates.length === 0) {
      changes.push({ state: s, event: nextEvent(s, 'failed', now, { reason: 'no bot online in group' }) });
      continue;
    }
    const to = candidates.reduce((a, b) => ((load.get(a) ?? 0) <= (load.get(b) ?? 0) ? a : b));
    load.set(to, (load.get(to) ?? 0) + 1);
    changes.push({ state: s, event: nextEvent(s, 'moved', now, { botId: to }) });
  }
  const changed = await appendEvents(store, changes);
  return { moved: changed.filter((s) => s.status === 'planned').length, failed: changed.filter((s) => s.status === 'failed').length, changed };
}

/**
 * When each bot posted since a time, for its sliding limits: sent posts at
 * their send time, and claims without an outcome or with an unknown one at
 * their claim time (maybe posted). A claim given back unsent does not count.
 */
export async function sendTimesOfBots(store: Store, since: Date): Promise<Map<string, number[]>> {
  const rows = await store.models.DeliveryEvent.find({ at: { $gte: since }, botId: { $exists: true } }, { deliveryId: 1, seq: 1, kind: 1, at: 1, botId: 1, sentAt: 1, items: 1, runId: 1 }).lean();
  // deliveries claimed when they were written hold their claim (event 1) in the document
  const claimedAtPlanning = await store.models.Delivery.find({ claimedAt: { $gte: since } }, { botId: 1, claimedAt: 1 }).lean();
  const events: Pick<DeliveryEventDoc, 'deliveryId' | 'seq' | 'kind' | 'at' | 'botId' | 'sentAt'>[] = deliveryEvents(rows as DeliveryEventRow[]);
  for (const d of claimedAtPlanning) events.push({ deliveryId: String(d._id), seq: 1, kind: 'claim', at: d.claimedAt!, botId: d.botId });
  const byDelivery = new Map<string, typeof events>();
  for (const e of events) (byDelivery.get(e.deliveryId) ?? byDelivery.set(e.deliveryId, []).get(e.deliveryId)!).push(e);
  const out = new Map<string, number[]>();
  const add = (bot: string, t: number): void => void (out.get(bot) ?? out.set(bot, []).get(bot)!).push(t);
  for (const list of byDelivery.values()) {
    let claim: { bot: string; t: number } | undefined;
    for (const e of list.sort(bySeq)) {
      if (e.kind === 'claim') claim = { bot: e.botId!, t: e.at.getTime() };
      else if (e.kind === 'sent') {
        add(e.botId!, (e.sentAt ?? e.at).getTime());
        claim = undefined;
        break;
      } else if (e.kind !== 'unknown') claim = undefined;
    }
    if (claim) add(claim.bot, claim.t);
  }
  return out;
}

/** Planned deliveries per bot (the queues). */
export async function queueDepths(store: Store): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of await openDeliveries(store)) if (s.status === 'planned') out.set(s.botId, (out.get(s.botId) ?? 0) + 1);
  return out;
}

/** Sent deliveries per bot since a time. */
export async function sentSince(store: Store, since: Date): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  // sent batches by when they were written (each within a second of its posts), single sent events by send time
  const [batched, single] = await Promise.all([
    sumBy(store.models.DeliveryEvent, { kind: 'sent-batch', at: { $gte: since } }, '$botId', { n: '$count' }),
    sumBy(store.models.DeliveryEvent, { kind: 'sent', sentAt: { $gte: since } }, '$botId', { n: 1 }),
  ]);
  for (const r of [...batched, ...single]) out.set(String(r.key), (out.get(String(r.key)) ?? 0) + r.n);
  return out;
}

/** Rooms that got a sent delivery of these runs. */
export async function sentRoomIds(store: Store, runIds: readonly string[]): Promise<string[]> {
  return (await loadDeliveries(store, { runIds })).filter((s) => s.status === 'sent').map((s) => s.roomId);
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
  const rows = await store.models.DeliveryEvent.find({ $or: [{ kind: 'sent', groupId, sentAt: { $gte: since } }, { kind: 'sent-batch', groupIds: groupId, at: { $gte: since } }] }).lean();
  return deliveryEvents(rows as DeliveryEventRow[])
    .filter((e) => e.groupId === groupId && e.sentAt && e.sentAt >= since)
    .map((e) => ({ deliveryId: e.deliveryId, groupId, botId: e.botId!, campaignId: e.campaignId!, postId: e.postId!, sentAt: e.sentAt! }));
}

/**
 * One delivery by id (a tracked link's click). A click proves the post went
 * out, so a delivery still `sending` (its confirmation not yet written) or
 * `unknown` counts too; planned, failed and skipped ones never had a link out.
 * Reads only by `_id` (the delivery, then its events one by one): a click
 * never scans the outbox.
 */
export async function findSentDelivery(store: Store, id: string): Promise<SentDelivery | undefined> {
  if (!Types.ObjectId.isValid(id)) return undefined;
  const d = await store.models.Delivery.findOne({ _id: new Types.ObjectId(id) }).lean();
  if (!d) return undefined;
  let s = initialState(toRecord(d));
  // (a sent outcome written in a sent batch is not read here: the delivery shows as `sending`, at its claim time)
  for (let seq = s.seq + 1; seq <= 100; seq++) {
    const e = (await store.models.DeliveryEvent.findOne({ _id: `${id}:${seq}` }).lean()) as DeliveryEventDoc | null;
    if (!e) break;
    s = applyEvent(s, e);
  }
  if (!['sent', 'sending', 'unknown'].includes(s.status)) return undefined;
  const sentAt = s.sentAt ?? s.claimedAt;
  if (!sentAt) return undefined;
  return { deliveryId: id, groupId: s.groupId, botId: s.botId, campaignId: s.campaignId, postId: s.postId, sentAt };
}
