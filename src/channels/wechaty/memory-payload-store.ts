/**
 * wechaty-puppet-service's client keeps the payloads it fetches (rooms with
 * their topics and member ids, contacts, room members) in LevelDB under
 * `~/.wechaty/wechaty-puppet-service/<token>/<account>`. For a fleet that is
 * wrong three ways: the token becomes a directory name and residents' names
 * and ids sit on disk where no operator looks; the cache outlives the process,
 * so a topic changed while no worker ran is still the old one after a restart
 * (no client was connected to hear the change); and a second client of the
 * same account in one process (a takeover racing the old client's shutdown)
 * cannot open the store: LevelDB's "LOCK: already held by process" is raised
 * as an 'error' event nobody listens to, which ends the process and every bot
 * in it. This module keeps the same cache in memory, per client, for the
 * client's life, and keeps rooms without their member ids (see
 * `withoutMemberIds`).
 */

/** What the puppet service client asks of each of its three stores. */
interface PayloadCache<V> {
  get(id: string): Promise<V | undefined>;
  set(id: string, value: V): Promise<void>;
  delete(id: string): Promise<void>;
}

/** A bounded map: the oldest entry goes first when it is full (the puppet layer above has its own LRU). */
class BoundedCache<V> implements PayloadCache<V> {
  private readonly map = new Map<string, V>();
  constructor(
    private readonly capacity: number,
    /** What of a value is kept (all of it by default). */
    private readonly kept: (value: V) => V = (value) => value,
  ) {}

  async get(id: string): Promise<V | undefined> {
    return this.map.get(id);
  }

  async set(id: string, value: V): Promise<void> {
    this.map.delete(id);
    this.map.set(id, this.kept(value));
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }

  async delete(id: string): Promise<void> {
    this.map.delete(id);
  }
}

/**
 * A room's payload without its member ids. The puppet service sends them with
 * every room, and the payload is kept three times (this store, the puppet's
 * LRU, Wechaty's pooled `Room`): 1.3 million member ids (55 MB) in a worker
 * with 200 bots in 10,000 groups of 100, growing with the groups. Nothing
 * reads them there: Wechaty and Zhimi ask the puppet service for a room's
 * members (`roomMemberList`), each time.
 */
export function withoutMemberIds<V>(payload: V): V {
  const p = payload as { memberIdList?: unknown[] } | undefined;
  return p?.memberIdList?.length ? { ...p, memberIdList: [] } as V : payload;
}

/**
 * How many payloads of each kind one client keeps: rooms for every group a bot is in (without their member
 * ids), contacts for the residents who wrote lately (members are read by id, not as contacts), and
 * room members (a member's name in a group) for those asked about lately.
 */
export const PAYLOAD_CACHE_CAPACITY = { contact: 5_000, room: 2_000, roomMember: 1_000 } as const;

/** The payload store of one client, in memory: empty at each login, dropped at logout. */
export class MemoryPayloadStore {
  contact: BoundedCache<unknown> | undefined;
  room: BoundedCache<unknown> | undefined;
  roomMember: BoundedCache<unknown> | undefined;

  async start(_accountId: string): Promise<void> {
    this.contact = new BoundedCache(PAYLOAD_CACHE_CAPACITY.contact);
    this.room = new BoundedCache(PAYLOAD_CACHE_CAPACITY.room, withoutMemberIds);
    this.roomMember = new BoundedCache(PAYLOAD_CACHE_CAPACITY.roomMember);
  }

  async stop(): Promise<void> {
    this.contact = this.room = this.roomMember = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
  }
}

/**
 * Give a wechaty-puppet-service client the in-memory store before it logs in
 * (its LevelDB store only touches the disk at login), and have it hand rooms
 * up without their member ids. A client without such a store (another
 * version of the package) is left as it is.
 */
export function keepPayloadsInMemory(client: object): void {
  const c = client as { _payloadStore?: { start?: unknown }; roomRawPayload?: (id: string) => Promise<unknown> };
  if (typeof c._payloadStore?.start !== 'function') return;
  c._payloadStore = new MemoryPayloadStore();
  const roomRawPayload = c.roomRawPayload;
  if (typeof roomRawPayload === 'function') c.roomRawPayload = async (id) => withoutMemberIds(await roomRawPayload.call(client, id));
}
