import type { Clock } from '../config/clock.js';
import type { Store } from '../store/connection.js';
import { findGroupById, findGroupByRoomId } from '../store/groups-repo.js';
import { type GroupRecord } from '../shared/groups.js';

/**
 * Registry records for handling inbound messages (scam check, engagement):
 * each group read at most once per `ttlMs` (district and segments change
 * rarely), so a busy group does not cost a database query per message.
 */
export class GroupCache {
  private readonly entries = new Map<string, { at: number; group: GroupRecord | undefined }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
  ) {}

  byRoom(roomId: string): Promise<GroupRecord | undefined> {
    return this.cached(`room:${roomId}`, () => findGroupByRoomId(this.store, roomId));
  }

  byId(id: string): Promise<GroupRecord | undefined> {
    return this.cached(`id:${id}`, () => findGroupById(this.store, id));
  }

  private async cached(key: string, load: () => Promise<GroupRecord | undefined>): Promise<GroupRecord | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.group;
    const group = await load();
    this.entries.set(key, { at: now, group });
    return group;
  }
}
