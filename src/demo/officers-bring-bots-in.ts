import { SEGMENT_LABEL } from '../audience/segments.js';
import type { Store } from '../store/connection.js';
import { findGroupByRoomId } from '../store/groups-repo.js';
import { type GroupRecord } from '../shared/groups.js';
import type { SimWorld } from '../sim/world.js';
import type { SimRoom } from '../sim/world-model.js';

/**
 * What officers do in the simulated world: in every group, an officer who is
 * a member invites the group's bots and then tags the group in the chat with
 * `@bot 登记 区县 派出所 对象`. Zhimi registers the groups through its own
 * invitation and command handling; nothing is written to the database here.
 */
export async function officersBringBotsIn(
  world: SimWorld,
  store: Store,
  opts: { concurrency?: number; timeoutMs?: number; onGroup?: (g: GroupRecord) => void } = {},
): Promise<GroupRecord[]> {
  const rooms = [...world.rooms.values()];
  const done: GroupRecord[] = [];
  const queue = [...rooms];
  const lanes = Array.from({ length: opts.concurrency ?? 6 }, async () => {
    for (let room = queue.shift(); room; room = queue.shift()) {
      const g = await bringIn(world, store, room, opts.timeoutMs ?? 15_000);
      done.push(g);
      opts.onGroup?.(g);
    }
  });
  await Promise.all(lanes);
  return done;
}

async function bringIn(world: SimWorld, store: Store, room: SimRoom, timeoutMs: number): Promise<GroupRecord> {
  const officers = room.memberIds.filter((id) => world.contacts.get(id)?.kind === 'officer');
  const officer = officers[0];
  if (!officer) throw new Error(`no officer in simulated room ${room.topic}`);
  const [firstBot, ...others] = room.truth.botIds;
  if (!firstBot) throw new Error(`no bot meant for simulated room ${room.topic}`);
  world.invite(room.id, officer, world.botContactId(firstBot));
  await until(async () => (await findGroupByRoomId(store, room.id)) !== undefined, timeoutMs, `bot ${firstBot} to join ${room.topic}`);
  for (const b of others) world.invite(room.id, officer, world.botContactId(b));
  const { district, station, segment } = room.truth;
  world.mention(room.id, officer, firstBot, `登记 ${district} ${station} ${SEGMENT_LABEL[segment]}`);
  let group: GroupRecord | undefined;
  await until(async () => (group = await findGroupByRoomId(store, room.id))?.status === 'active', timeoutMs, `${room.topic} to be tagged`, () =>
    world.roomMessages(room.id).map((m) => `${world.contacts.get(m.talkerId)?.name}: ${m.text}`).join(' | '));
  if (others.length) {
    await until(async () => (group = await findGroupByRoomId(store, room.id))!.botIds.length === room.truth.botIds.length, timeoutMs, `all bots in ${room.topic}`);
  }
  return group!;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context ? ` (chat: ${context()})` : ''}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}
