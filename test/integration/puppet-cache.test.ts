import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { waitFor } from '../support/wait.js';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { FakeClock } from '../support/clock.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import type { Store } from '../../src/store/connection.js';
import { configOfficers } from '../support/people.js';
import type { ChannelBot, RoomView } from '../../src/channels/channel.js';

/** Every room a bot is in, each read as the registry reads it. */
async function roomsOf(bot: ChannelBot): Promise<RoomView[]> {
  const views: RoomView[] = [];
  for (const roomId of await bot.roomIds()) views.push((await bot.room(roomId))!);
  return views;
}

// wechaty-puppet-service's client caches room and contact payloads in LevelDB under ~/.wechaty/<token>/<account>
describe('the puppet service client\'s payload cache, over the gRPC simulator', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  const logs = captureLogger();
  const home = process.env['HOME'];
  const fakeHome = mkdtempSync(join(tmpdir(), 'zhimi-home-'));
  const fleet = () => new Fleet({ config: h.config, store, keyer: createMemberKeyer('k'.repeat(32)), officers: configOfficers(h.config, createMemberKeyer('k'.repeat(32))), log: logs.log, clock: new FakeClock(), channel: h.channel, content, botIds: ['twin'] });

  beforeAll(async () => {
    process.env['HOME'] = fakeHome;
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['twin'], { groups: 4, membersPerGroup: 8, seed: 5 });
  });
  afterAll(async () => {
    process.env['HOME'] = home;
    await h?.stop();
    await store?.drop();
    rmSync(fakeHome, { recursive: true, force: true });
  });

  it('should write nothing to disk: no token in a path, no resident\'s name or id in a file', async () => {
    const f = fleet();
    await f.startBot('twin');
    expect((await roomsOf(f.runner('twin')!)).length).toBe(4);
    await f.close();
    expect(existsSync(join(fakeHome, '.wechaty')) ? readdirSync(join(fakeHome, '.wechaty'), { recursive: true }) : []).toEqual([]);
  });

  it('should see a topic changed while no worker ran, after a restart', async () => {
    const before = fleet();
    await before.startBot('twin');
    const [room] = await roomsOf(before.runner('twin')!);
    await before.close();
    h.world.setTopic(room!.roomId, '鼓楼区反诈新群名', h.world.botContactId('twin'));
    const after = fleet();
    await after.startBot('twin');
    expect((await after.runner('twin')!.room(room!.roomId))?.topic).toBe('鼓楼区反诈新群名');
    await after.close();
  });

  it('should not fetch every member\'s contact when the echo of a post comes back (one gRPC call each, at 100 members a group)', async () => {
    const f = fleet();
    await f.startBot('twin');
    onTestFinished(() => f.close());
    const puppet = h.sim.endpointOf('twin').puppet;
    const contacts = vi.spyOn(puppet, 'contactRawPayload');
    const messages = vi.spyOn(puppet, 'messageRawPayload');
    const [room] = await roomsOf(f.runner('twin')!);
    expect(await f.runner('twin')!.post(room!.roomId, '【反诈提醒】不要向陌生账户转账。')).toMatchObject({ reach: expect.any(Number) as number });
    // the echo is read (its message payload), then Wechaty readies its room and sender
    await waitFor(() => expect(messages).toHaveBeenCalled(), 5000, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // the bot's own contact at most: not the room's residents
    expect(contacts.mock.calls.length).toBeLessThanOrEqual(1);
    contacts.mockRestore();
    messages.mockRestore();
  });

  it('should let two clients of one account keep their caches at once (a takeover racing the old client\'s shutdown)', async () => {
    const a = fleet();
    await a.startBot('twin');
    // the new client logs in while the old one still holds its cache (its connection dropped, it never logged out):
    // LevelDB refuses the second open with an 'error' event that ended the process
    const b = await h.puppetFactory(h.config.bots[0]!);
    await (b as unknown as { _payloadStore: { start(id: string): Promise<void> } })._payloadStore.start(h.world.botContactId('twin'));
    expect((await roomsOf(a.runner('twin')!)).length).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await a.close();
  });
});
