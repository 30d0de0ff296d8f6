import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { Store } from './connection.js';
import { joinSample, sampleKeys, type GroupRecord, type GroupStatus, type SeenGroup, type Segment } from '../shared/groups.js';
import { insertUnique, isDuplicateKey } from './once.js';
import { inChunks } from './bulk.js';
import { sameGroupAs, seenChanges } from './seen-groups.js';
import { bumpVersion, readVersion } from './versions.js';

/** The registry's version: it changes with every write to the group registry (any worker, any process; see versions.ts). */
export const registryVersion = (store: Store): Promise<string> => readVersion(store, 'registry');

/**
 * The version of what targeting reads of the registry: it changes with every
 * registry write but those of member counts and samples alone (people join
 * and leave groups all day; a run's prefetched registry stays current).
 */
export const targetingVersion = (store: Store): Promise<string> => readVersion(store, 'targeting');

/** Mark the registry changed, after the write: `counts` when only member counts and samples changed. */
async function registryChanged(store: Store, what: 'counts' | 'any' = 'any'): Promise<void> {
  await bumpVersion(store, 'registry');
  if (what === 'any') await bumpVersion(store, 'targeting');
}

/** Register or refresh a group a bot is in; new groups start `pending`. Returns the record and whether it is new. */
export async function upsertSeenGroup(store: Store, seen: SeenGroup, now: Date, onRenamed?: OnRenamed): Promise<{ group: GroupRecord; created: boolean }> {
  try {
    return await upsertOnce(store, seen, now, onRenamed);
  } catch (err) {
    // two workers registering the same new room: the loser retries as an update
    if (isDuplicateKey(err)) return upsertOnce(store, seen, now, onRenamed);
    throw err;
  }
}

/**
 * Some puppets give rooms new ids after a restart. A room id we do not know,
 * with the topic of a group we do know and largely the same members (by the
 * keyed member sample), is that group: it keeps its district, segments and
 * history, its old id is kept in `previousRoomIds`, and planned deliveries follow.
 */
async function adoptRenamedRoom(store: Store, seen: SeenGroup, onRenamed: OnRenamed | undefined, sameTopic?: readonly SeenEntry[]): Promise<SeenEntry | undefined> {
  if (!seen.sample) return undefined;
  const candidates = sameTopic
    ? sameTopic.filter((g) => g.roomId !== seen.roomId && g.status !== 'left')
    : (await store.models.Group.find({ topic: seen.topic, roomId: { $ne: seen.roomId }, status: { $ne: 'left' } }, SEEN_FIELDS).lean()).map(seenEntry);
  const match = sameGroupAs(candidates, seen);
  if (!match) return undefined;
  // the new id and what the bot sees there, in one write
  const look = seenUpdate(seen);
  await store.models.Group.updateOne({ _id: match._id }, { $set: { ...look.$set, roomId: seen.roomId }, $addToSet: { ...look.$addToSet, previousRoomIds: match.roomId } });
  await onRenamed?.(String(match._id), seen.roomId);
  return match;
}

/**
 * Told when a known group is recognised under a new room id (its id, the new
 * room id): the outbox moves the group's planned posts there. The registry
 * itself knows no outbox.
 */
export type OnRenamed = (groupId: string, roomId: string) => Promise<unknown>;

/** A group's registry entry as a bot's look at its room compares it. */
export interface SeenEntry {
  _id: Types.ObjectId;
  roomId: string;
  topic: string;
  memberCount: number;
  /** The member sample, as `SeenGroup.sample` has it. */
  sample: string;
  botIds: string[];
  status: string;
}
const SEEN_FIELDS = { roomId: 1, topic: 1, memberCount: 1, memberSample: 1, botIds: 1, status: 1 } as const;

/** What a look at a room writes into its entry. */
const seenUpdate = (seen: SeenGroup) => ({ $set: { topic: seen.topic, memberCount: seen.memberCount, memberSample: sampleKeys(seen.sample) }, $addToSet: { botIds: seen.botId } });
/** The fields a group starts with. */
const newGroup = (now: Date) => ({ status: 'pending' as const, joinedAt: now, segments: [], tags: [], previousRoomIds: [] });

async function upsertOnce(store: Store, seen: SeenGroup, now: Date, onRenamed: OnRenamed | undefined): Promise<{ group: GroupRecord; created: boolean }> {
  if (!(await store.models.Group.exists({ roomId: seen.roomId }))) await adoptRenamedRoom(store, seen, onRenamed);
  const res = await store.models.Group.findOneAndUpdate(
    { roomId: seen.roomId },
    { ...seenUpdate(seen), $setOnInsert: newGroup(now) },
    { upsert: true, returnDocument: 'after', includeResultMetadata: true, lean: true },
  );
  await registryChanged(store);
  const doc = res.value;
  if (!doc) throw new Error(`upsert of group ${seen.roomId} returned nothing`);
  return { group: toRecord(doc), created: res.lastErrorObject?.['updatedExisting'] === false };
}

/** New groups written per insert (see registerSeenGroups). */
const INSERT_CHUNK = 2000;

/**
 * Register what a bot sees of all its rooms (its look around after login):
 * one read of the registry, a write only for a room whose entry it changes,
 * the new rooms inserted together (a room id we do not know may be a known
 * group under a new id: see `adoptRenamedRoom`). A restart that finds every
 * room as it was writes nothing, so the registry's version (and a run's
 * prefetched read) stays valid. Returns, per room id, whether the group is new.
 */
export async function registerSeenGroups(store: Store, seens: readonly SeenGroup[], now: Date, entries?: readonly SeenEntry[], onRenamed?: OnRenamed): Promise<Map<string, boolean>> {
  entries ??= await readSeenEntries(store);
  const known = new Map(entries.map((g) => [g.roomId, g]));
  const created = new Map<string, boolean>();
  const fresh: SeenGroup[] = [];
  let changed: 'counts' | 'any' | undefined;
  for (const seen of seens) {
    const entry = known.get(seen.roomId);
    if (!entry) fresh.push(seen);
    else {
      created.set(seen.roomId, false);
      if (!seenChanges(entry, seen)) continue;
      await store.models.Group.updateOne({ _id: entry._id }, seenUpdate(seen));
      changed = changed === 'any' || !onlyCountsChange(entry, seen) ? 'any' : 'counts';
    }
  }
  const inserts: SeenGroup[] = [];
  // candidates for a new room id by topic, looked up once (not a scan of the registry per new room)
  const byTopic = new Map<string, SeenEntry[]>();
  if (fresh.length) for (const g of entries) (byTopic.get(g.topic) ?? byTopic.set(g.topic, []).get(g.topic)!).push(g);
  // a new room several bots saw (their looks registered together): one entry, with every one of them
  const botsOf = new Map<string, Set<string>>();
  for (const seen of fresh) (botsOf.get(seen.roomId) ?? botsOf.set(seen.roomId, new Set()).get(seen.roomId)!).add(seen.botId);
  for (const seen of fresh) {
    if (created.has(seen.roomId)) continue;
    const sameTopic = byTopic.get(seen.topic) ?? [];
    const adopted = await adoptRenamedRoom(store, seen, onRenamed, sameTopic);
    if (adopted) {
      sameTopic.splice(sameTopic.indexOf(adopted), 1); // not a candidate for another new room id
      const others = [...botsOf.get(seen.roomId)!].filter((b) => b !== seen.botId);
      if (others.length) await store.models.Group.updateOne({ _id: adopted._id }, { $addToSet: { botIds: { $each: others } } });
      created.set(seen.roomId, false);
      changed = 'any';
      continue;
    }
    inserts.push(seen);
    created.set(seen.roomId, true);
  }
  // in chunks, each document made just before its insert (a first look of 200 bots at 69,000 groups made them all
  // at once: 200 MB of member samples, and 140 MB of BSON for one insert)
  for (const chunk of inChunks(inserts, INSERT_CHUNK)) {
    const docs = chunk.map((seen) => ({ _id: new Types.ObjectId(), roomId: seen.roomId, topic: seen.topic, memberCount: seen.memberCount, memberSample: sampleKeys(seen.sample), botIds: [...botsOf.get(seen.roomId)!], ...newGroup(now), createdAt: now, updatedAt: now }));
    const won = await insertUnique(store.models.Group, docs);
    changed = 'any';
    for (const [i, seen] of chunk.entries()) {
      if (won.has(docs[i]!._id)) continue;
      // another worker registered the room meanwhile: as a single look of each bot that saw it
      let made = false;
      for (const botId of botsOf.get(seen.roomId)!) made = (await upsertSeenGroup(store, { ...seen, botId }, now, onRenamed)).created || made;
      created.set(seen.roomId, made);
    }
  }
  if (changed) await registryChanged(store, changed);
  return created;
}

/** A look that changes only what people joining and leaving change: the member count and sample. */
const onlyCountsChange = (entry: SeenEntry, seen: SeenGroup): boolean => entry.topic === seen.topic && entry.botIds.includes(seen.botId);

/**
 * Someone joined or left a group, or it was renamed: its entry follows the
 * bot's new look at it, written only when that changes it (one read by room
 * id, and an update only then). False when the registry does not know the
 * room (a group the bot is only passing through, e.g. one it is leaving).
 */
export async function refreshSeenGroup(store: Store, seen: SeenGroup): Promise<boolean> {
  const doc = await store.models.Group.findOne({ roomId: seen.roomId }, SEEN_FIELDS).lean();
  if (!doc) return false;
  const entry = seenEntry(doc);
  if (!seenChanges(entry, seen)) return true;
  await store.models.Group.updateOne({ _id: entry._id }, seenUpdate(seen));
  await registryChanged(store, onlyCountsChange(entry, seen) ? 'counts' : 'any');
  return true;
}

/** A registry document as looks compare it, its member sample as one string (64 strings a group held about 250 MB at 69,000 groups). */
function seenEntry(d: { _id: Types.ObjectId; roomId: string; topic?: string | null; memberCount?: number | null; memberSample?: string[] | null; botIds?: string[] | null; status?: string | null }): SeenEntry {
  return { _id: d._id, roomId: d.roomId, topic: d.topic ?? '', memberCount: d.memberCount ?? 0, sample: joinSample(d.memberSample ?? []), botIds: d.botIds ?? [], status: d.status ?? 'pending' };
}

/** The registry as looks compare it, read batch by batch (each batch's documents let go as they are kept). */
async function readSeenEntries(store: Store): Promise<SeenEntry[]> {
  const rows: SeenEntry[] = [];
  for await (const d of store.models.Group.find({}, SEEN_FIELDS).lean().cursor()) rows.push(seenEntry(d));
  return rows;
}

/**
 * The registry as `registerSeenGroups` compares it, read once for every bot
 * that looks around while nothing changed it (many bots starting together
 * share one read; any registry write, in any worker, makes the next call read again).
 * The read is let go once no look used it for `keepMs`: its member samples
 * are most of a group's bytes (about 100 MB at 69,000 groups, even as one
 * string each), and a worker's looks come together, at its bots' logins.
 */
export function seenEntriesReader(store: Store, keepMs = 30_000): () => Promise<SeenEntry[]> {
  let cached: { version: string; entries: Promise<SeenEntry[]> } | undefined;
  let letGo: NodeJS.Timeout | undefined;
  return async () => {
    clearTimeout(letGo);
    const version = await registryVersion(store);
    if (cached?.version !== version) {
      const entries = readSeenEntries(store);
      cached = { version, entries };
      entries.catch(() => {
        if (cached?.entries === entries) cached = undefined;
      });
    }
    const { entries } = cached;
    // unused from when it is answered
    void entries.then(() => {
      clearTimeout(letGo);
      letGo = setTimeout(() => (cached = undefined), keepMs).unref();
    }, () => undefined);
    return entries;
  };
}

/**
 * A bot joined a group (accepted an officer's invitation or was added by one).
 * New groups start `pending`; a group the fleet had left comes back as it was
 * tagged (active) or pending.
 */
export async function registerJoinedGroup(store: Store, seen: SeenGroup, invitedByKey: string, now: Date, onRenamed?: OnRenamed): Promise<{ group: GroupRecord; created: boolean }> {
  const res = await upsertSeenGroup(store, seen, now, onRenamed);
  if (res.group.status === 'left' || res.created) {
    const status: GroupStatus = res.group.district && res.group.segments.length ? 'active' : 'pending';
    await store.models.Group.updateOne({ roomId: seen.roomId }, { $set: { status, invitedByKey, joinedAt: now }, $unset: { leftAt: 1 } });
    await registryChanged(store);
    return { group: { ...res.group, status }, created: res.created };
  }
  return res;
}

/**
 * A bot is no longer in a group (it was removed, or a send found it gone).
 * The group is `left` once no fleet bot is in it. Returns the updated record
 * (undefined for an unknown group); the outbox moves or skips the bot's
 * planned posts there (fleet's forgetBotInGroup).
 */
export async function removeBotFromGroup(store: Store, where: { roomId: string } | { groupId: string }, botId: string, now: Date): Promise<GroupRecord | undefined> {
  const filter = 'roomId' in where ? { roomId: where.roomId } : { _id: new Types.ObjectId(where.groupId) };
  const doc = await store.models.Group.findOneAndUpdate(filter, { $pull: { botIds: botId } }, { returnDocument: 'after', lean: true });
  if (!doc) return undefined;
  if (doc.botIds.length > 0) {
    await registryChanged(store);
    return toRecord(doc);
  }
  await setGroupFields(store, doc, { status: 'left', leftAt: now });
  await registryChanged(store);
  return { ...toRecord(doc), status: 'left' };
}

/**
 * Set fields of one group so that they stay set. On FerretDB v1 an update is
 * a read-modify-write of the whole document, so another process's update of
 * the same group at the same moment (a worker's member count) can write back
 * what it read before: an officer's tag from the command line was lost in 16
 * of 20 tries against five concurrent updates from another connection. Each
 * such write carries a new `rev`; a moment later the group is read back by
 * `_id`: still the old `rev` means the write was undone, and it is made
 * again (a few tries, further apart each time); our `rev` or a newer one
 * means it held or a later change superseded it (which must not be undone).
 * MongoDB applies an update atomically: one write, no read-back.
 */
async function setGroupFields(store: Store, current: { _id: unknown; rev?: string | null }, fields: Record<string, unknown>): Promise<void> {
  const rev = randomUUID();
  await store.models.Group.updateOne({ _id: current._id }, { $set: { ...fields, rev } });
  if (store.server.kind !== 'ferretdb') return;
  for (let attempt = 0; attempt < 5; attempt++) {
    // a write that read the group before ours can land a few milliseconds after it
    await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const doc = await store.models.Group.findOne({ _id: current._id }, { rev: 1 }).lean();
    if (!doc || (doc.rev ?? undefined) !== (current.rev ?? undefined)) return;
    await store.models.Group.updateOne({ _id: current._id }, { $set: { ...fields, rev } });
  }
}

/**
 * Pause or resume posts to a group. Resuming an untagged group leaves it
 * pending. The change is also put in `group_pauses`, where every worker reads
 * it within a second (a post one of them holds claimed for the group is then
 * not sent after the pause).
 */
export async function setGroupPaused(store: Store, roomId: string, paused: boolean, at: Date): Promise<GroupRecord | undefined> {
  const current = await store.models.Group.findOne({ roomId }).lean();
  if (!current || current.status === 'left') return current ? toRecord(current) : undefined;
  const status: GroupStatus = paused ? 'paused' : current.district && current.segments.length ? 'active' : 'pending';
  await setGroupFields(store, current, { status });
  await store.models.GroupPause.updateOne({ _id: String(current._id) }, { $set: { paused, at } }, { upsert: true });
  await registryChanged(store);
  return { ...toRecord(current), status };
}

export interface GroupPauseNews {
  groupId: string;
  paused: boolean;
  at: Date;
}

/** Groups paused or resumed since `since`; older news, which no claim can still need, is deleted. */
export async function recentGroupPauses(store: Store, since: Date): Promise<GroupPauseNews[]> {
  const docs = await store.models.GroupPause.find({}).lean();
  const old = docs.filter((d) => d.at.getTime() < since.getTime());
  if (old.length) await store.models.GroupPause.deleteMany({ _id: { $in: old.map((d) => d._id) }, at: { $lt: since } });
  return docs.filter((d) => d.at.getTime() >= since.getTime()).map((d) => ({ groupId: d._id, paused: d.paused, at: d.at }));
}

export interface TagGroupInput {
  district: string;
  station?: string | undefined;
  segments: Segment[];
  tags?: string[] | undefined;
  taggedBy: string;
}

/** Tag a group with district, station and segments; a pending group becomes active. */
export async function tagGroup(store: Store, roomId: string, input: TagGroupInput): Promise<GroupRecord | undefined> {
  const current = await store.models.Group.findOne({ roomId }).lean();
  if (!current) return undefined;
  if (current.status === 'left') return toRecord(current);
  const status: GroupStatus = current.status === 'pending' ? 'active' : current.status;
  const fields = {
    district: input.district,
    segments: input.segments,
    status,
    taggedBy: input.taggedBy,
    ...(input.station ? { station: input.station } : {}),
    ...(input.tags ? { tags: input.tags } : {}),
  };
  await setGroupFields(store, current, fields);
  await registryChanged(store);
  return toRecord({ ...current, ...fields });
}

export interface GroupQuery {
  status?: GroupStatus | GroupStatus[];
  district?: string;
  botId?: string;
}

export async function listGroups(store: Store, query: GroupQuery = {}): Promise<GroupRecord[]> {
  const filter: Record<string, unknown> = {};
  if (query.status) filter['status'] = Array.isArray(query.status) ? { $in: query.status } : query.status;
  if (query.district) filter['district'] = query.district;
  if (query.botId) filter['botIds'] = query.botId;
  // without the member samples (a record has none; they are most of a group's bytes) and sorted here, not by the
  // database: one read of 69,000 groups on FerretDB took 44 s this way, 197 s with samples sorted there (bench/console)
  const docs = (await store.models.Group.find(filter, { memberSample: 0 }).lean()) as GroupLean[];
  return byTopic(docs).map(toRecord);
}

/** Documents in the order `sort({ topic: 1 })` gives them: by the topic's UTF-8 bytes (code points, not UTF-16 units). */
function byTopic<T extends { topic: string }>(docs: T[]): T[] {
  const keyed = docs.map((d) => ({ d, k: Buffer.from(d.topic ?? '', 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.k, b.k));
  return keyed.map((x) => x.d);
}

/** A group by room id, topic, or database id (what an officer types on the CLI). */
export async function findGroup(store: Store, ref: string): Promise<GroupRecord | undefined> {
  const or: Record<string, unknown>[] = [{ roomId: ref }, { topic: ref }];
  if (/^[0-9a-f]{24}$/.test(ref)) or.push({ _id: ref });
  const doc = await store.models.Group.findOne({ $or: or }).lean();
  return doc ? toRecord(doc) : undefined;
}

export async function findGroupByRoomId(store: Store, roomId: string): Promise<GroupRecord | undefined> {
  const doc = await store.models.Group.findOne({ roomId }).lean();
  return doc ? toRecord(doc) : undefined;
}

interface GroupLean {
  _id: Types.ObjectId;
  roomId: string;
  topic: string;
  district?: string | null | undefined;
  station?: string | null | undefined;
  segments: string[];
  tags: string[];
  memberCount: number;
  botIds: string[];
  status: string;
  lastPostAt?: Date | null | undefined;
}

function toRecord(doc: GroupLean): GroupRecord {
  return {
    id: String(doc._id),
    roomId: doc.roomId,
    topic: doc.topic,
    district: doc.district ?? undefined,
    station: doc.station ?? undefined,
    segments: (doc.segments ?? []) as Segment[],
    tags: doc.tags ?? [],
    memberCount: doc.memberCount ?? 0,
    botIds: doc.botIds ?? [],
    status: doc.status as GroupStatus,
    lastPostAt: doc.lastPostAt ?? undefined,
  };
}

/** A group by its registry id (primary key). */
export async function findGroupById(store: Store, id: string): Promise<GroupRecord | undefined> {
  if (!Types.ObjectId.isValid(id)) return undefined;
  const doc = await store.models.Group.findOne({ _id: new Types.ObjectId(id) }).lean();
  return doc ? toRecord(doc) : undefined;
}
