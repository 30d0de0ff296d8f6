import type { Store } from '../store/connection.js';
import type { HistoryReading } from '../campaigns/plan-run.js';
import { FINAL_STATUSES, type DeliveryEventDoc, type DeliveryEventRow, type DeliveryStatus, type PlannedDelivery, type PlannedRecord } from '../shared/outbox-records.js';
import { deliveryIdFor } from '../shared/delivery-id.js';
import { ensureRuns, openRuns } from '../store/runs-repo.js';
import {
  findBotActivitySince, findEvent, findEventRows, findPlannedRecord, findPlannedRecords, findSentRowsOfGroup, insertDeliveryRecords, insertEventRows, sentCountsSince,
  type DeliveryFilter,
} from '../store/deliveries-repo.js';
import { applyEvent, deliveryEvents, foldDeliveries, initialState, type DeliveryState } from './delivery-state.js';
import { byDueOrder, claimChanges, expiryChanges, nextEvent, sentBatches, skipChanges, type Change, type ClaimOptions, type LapsedVerdict } from './events.js';

export type { LapsedVerdict } from './events.js';
import { failoverChanges, orphansOf } from './failover.js';
import { sendTimesFrom } from './send-times.js';
import { capsHistory, capsRecords, type CapsHistoryEntry } from './caps-history.js';

export type { DeliveryState } from './delivery-state.js';
export type { DeliveryFilter } from '../store/deliveries-repo.js';
export { capsVersion } from '../store/deliveries-repo.js';

/**
 * The outbox: deliveries written once by the planner, every later change an
 * inserted event (claim, outcome, retry, move), the current state their fold.
 * These functions read and write through the store and apply the outbox's
 * pure rules (delivery-state, events, failover, send-times, caps-history).
 */

/**
 * Write planned deliveries. Idempotent: the id comes from (run, group), so
 * planning the same run twice adds nothing. Returns the deliveries this call
 * wrote, as states (what a local dispatcher can start sending at once).
 */
export async function insertPlanned(store: Store, items: readonly PlannedDelivery[]): Promise<DeliveryState[]> {
  if (items.length === 0) return [];
  if (items.some((d) => d.claim && (d.status ?? 'planned') !== 'planned')) throw new Error('only a planned delivery can be claimed when it is written');
  const at = new Date();
  const records = items.map((d) => {
    // a planned delivery has every field of a record but maybe its id and status
    const r = d as PlannedRecord;
    return { ...r, id: d.id ?? deliveryIdFor(d.runId, d.groupId), status: d.status ?? 'planned' } as PlannedRecord;
  });
  const runs = new Map(items.map((r) => [r.runId, { id: r.runId, campaignId: r.campaignId, at: r.notBefore }]));
  await ensureRuns(store, [...runs.values()], at);
  const won = await insertDeliveryRecords(store, records, at);
  return records.filter((r) => won.has(r.id)).map(initialState);
}

/** Current states of the deliveries a filter picks: planned documents folded with their events. */
export async function loadDeliveries(store: Store, f: DeliveryFilter): Promise<DeliveryState[]> {
  const planned = await findPlannedRecords(store, f);
  if (planned.length === 0) return [];
  return foldDeliveries(planned, await findEventRows(store, [...new Set(planned.map((p) => p.runId))]));
}

/**
 * Append events in one insert; returns the states they produced for the
 * events that won (an event whose `_id` exists lost: someone changed that
 * delivery first).
 */
export async function appendEvents(store: Store, changes: readonly Change[]): Promise<DeliveryState[]> {
  const won = await insertEvents(store, changes.map((c) => c.event));
  return changes.filter((c) => won.has(c.event._id)).map((c) => applyEvent(c.state, c.event));
}

/**
 * Insert events in one insert; returns the `_id`s of those that won. `sent`
 * events go in as sent batches, one document per bot and run: they always win.
 */
export function insertEvents(store: Store, events: readonly DeliveryEventDoc[]): Promise<Set<string>> {
  return insertEventRowsOf(store, eventRows(events));
}

/**
 * The rows that store events: each event as it is, `sent` outcomes grouped
 * into sent batches (tagged with the tally `unit`, when given). Made once
 * per write, so that a write retried after a failure inserts the very same
 * documents (a sent batch written by the failed attempt collides, instead of
 * recording its posts twice).
 */
export function eventRows(events: readonly DeliveryEventDoc[], unit?: string): DeliveryEventRow[] {
  const unique = events.filter((e) => e.kind !== 'sent');
  const sent = events.filter((e) => e.kind === 'sent');
  return [...unique, ...(sent.length ? sentBatches(sent, unit) : [])];
}

/** Insert rows made by `eventRows`; returns the `_id`s of the events that won (every item of a sent batch does). */
export async function insertEventRowsOf(store: Store, rows: readonly DeliveryEventRow[]): Promise<Set<string>> {
  const won = await insertEventRows(store, rows);
  for (const r of rows) {
    if (r.kind !== 'sent-batch') continue;
    won.delete(r._id);
    for (const i of r.items) won.add(`${i.deliveryId}:${i.seq}`);
  }
  return won;
}

/**
 * Claim planned deliveries (planned → sending, with a lease) before sending
 * them: one insert of claim events. Returns the ones this call won; a lost one
 * changed since the caller read it (claimed, moved or skipped by someone else).
 */
export function claimDeliveries(store: Store, states: readonly DeliveryState[], o: ClaimOptions): Promise<DeliveryState[]> {
  return appendEvents(store, claimChanges(states, o));
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

/** The deliveries of every open run, in their current state (workers' sweep). */
export async function openDeliveries(store: Store): Promise<DeliveryState[]> {
  const runs = await openRuns(store);
  return runs.length ? loadDeliveries(store, { runIds: runs.map((r) => r.id) }) : [];
}

const FINAL = new Set<DeliveryStatus>(FINAL_STATUSES);

/** Open runs that are planned and whose deliveries are all final (`states` as a sweep read them): they can be closed. */
export async function finishedRuns(store: Store, states: readonly DeliveryState[], runs?: readonly { id: string; planned: boolean }[]): Promise<string[]> {
  const open = new Set(states.filter((s) => !FINAL.has(s.status)).map((s) => s.runId));
  return (runs ?? (await openRuns(store))).filter((r) => r.planned && !open.has(r.id)).map((r) => r.id);
}

/**
 * Claimed deliveries whose lease ran out become `unknown`, or go back to
 * planned, or are left to their live worker, as `verdict` says (see
 * expiryChanges). Works on states the caller read; returns the new states.
 */
export function expireLeases(store: Store, states: readonly DeliveryState[], now: Date, verdict?: (s: DeliveryState) => LapsedVerdict): Promise<DeliveryState[]> {
  return appendEvents(store, expiryChanges(states, now, verdict));
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
  return appendEvents(store, skipChanges(states, reason, now));
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
 * What caps and the repeat window count of the deliveries planned since a
 * time, read now and judged later (see capsHistory): a read ahead of a due
 * time, judged at the due time. Current while `capsVersion` is unchanged.
 */
export async function readCapsHistory(store: Store, since: Date): Promise<HistoryReading> {
  const records = capsRecords(await loadDeliveries(store, { since, withoutText: true }));
  return { entries: (from, now, exceptRunId) => capsHistory(records, now, exceptRunId, from) };
}

/** Deliveries since a time that count for caps and the repeat window, each at when it went out or will (see capsHistory). */
export async function recentDeliveries(store: Store, since: Date, now: Date, exceptRunId?: string): Promise<CapsHistoryEntry[]> {
  return (await readCapsHistory(store, since)).entries(since, now, exceptRunId);
}

/**
 * Planned deliveries whose bot is not online: move each to an online bot that
 * is a member of its group, or fail it with "no bot online in group" (see
 * failoverChanges). `groupBots` gives the member bots of a group id. Works on
 * states the caller read; returns the new states and the counts.
 */
export async function reassignOrphans(
  store: Store,
  states: readonly DeliveryState[],
  online: ReadonlySet<string>,
  groupBots: (groupId: string) => Promise<string[]>,
  now = new Date(),
  waitUntil?: (s: DeliveryState) => Date | undefined,
): Promise<{ moved: number; failed: number; waiting: DeliveryState[]; changed: DeliveryState[] }> {
  const orphans = orphansOf(states, online);
  const membersOf = new Map<string, string[]>();
  for (const s of orphans) if (!membersOf.has(s.groupId)) membersOf.set(s.groupId, await groupBots(s.groupId));
  const changes = failoverChanges(orphans, online, membersOf, now, waitUntil);
  const changing = new Set(changes.map((c) => c.state.id));
  const changed = await appendEvents(store, changes);
  return { moved: changed.filter((s) => s.status === 'planned').length, failed: changed.filter((s) => s.status === 'failed').length, waiting: orphans.filter((s) => !changing.has(s.id)), changed };
}

/** When each bot posted since a time, for its sliding limits (see sendTimesFrom). */
export async function sendTimesOfBots(store: Store, since: Date): Promise<Map<string, number[]>> {
  const { rows, claimedAtPlanning } = await findBotActivitySince(store, since);
  const events: Parameters<typeof sendTimesFrom>[0][number][] = deliveryEvents(rows);
  // deliveries claimed when they were written hold their claim (event 1) in the document
  for (const d of claimedAtPlanning) events.push({ deliveryId: d.deliveryId, seq: 1, kind: 'claim', at: d.claimedAt, botId: d.botId });
  return sendTimesFrom(events);
}

/** Planned deliveries per bot (the queues). */
export async function queueDepths(store: Store): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of await openDeliveries(store)) if (s.status === 'planned') out.set(s.botId, (out.get(s.botId) ?? 0) + 1);
  return out;
}

/** Sent deliveries per bot since a time. */
export const sentSince = sentCountsSince;

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
  return deliveryEvents(await findSentRowsOfGroup(store, groupId, since))
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
  const planned = await findPlannedRecord(store, id);
  if (!planned) return undefined;
  let s = initialState(planned);
  // (a sent outcome written in a sent batch is not read here: the delivery shows as `sending`, at its claim time)
  for (let seq = s.seq + 1; seq <= 100; seq++) {
    const e = await findEvent(store, `${id}:${seq}`);
    if (!e) break;
    s = applyEvent(s, e);
  }
  if (!['sent', 'sending', 'unknown'].includes(s.status)) return undefined;
  const sentAt = s.sentAt ?? s.claimedAt;
  if (!sentAt) return undefined;
  return { deliveryId: id, groupId: s.groupId, botId: s.botId, campaignId: s.campaignId, postId: s.postId, sentAt };
}
