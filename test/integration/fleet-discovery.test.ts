import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { FakeClock } from '../support/clock.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { listGroups, registryVersion } from '../../src/store/groups-repo.js';
import type { Store } from '../../src/store/connection.js';
import { BotRunner } from '../../src/channels/wechaty/bot-runner.js';
import { wechatyChannel } from '../../src/channels/wechaty/wechaty-channel.js';
import { configOfficers } from '../support/people.js';

describe('fleet over the gRPC simulator', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let fleet: Fleet;
  const logs = captureLogger();

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['alpha', 'beta', 'gamma'], { groups: 12, membersPerGroup: 30, districts: ['鼓楼区', '仓山区', '闽侯县'], seed: 7 });
    // gamma gets a wrong token (mistyped: nothing like a real one): it must fail alone
    h.env[h.config.bots[2]!.puppet.tokenEnv!] = 'insecure_Gamma-Wrong-Token-2026';
    fleet = new Fleet({ config: h.config, store, keyer: createMemberKeyer('k'.repeat(32)), officers: configOfficers(h.config, createMemberKeyer('k'.repeat(32))), log: logs.log, clock: new FakeClock(), channel: wechatyChannel(h.puppetFactory, { loginTimeoutMs: 8000 }), content });
  });
  afterAll(async () => {
    await fleet?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should log in the bots with good tokens and fail the bad one alone, naming it', async () => {
    const res = await fleet.start();
    expect(res.online.sort()).toEqual(['alpha', 'beta']);
    expect(res.failed.map((f) => f.botId)).toEqual(['gamma']);
    expect(res.failed[0]!.error.message).toMatch(/bot gamma/);
    expect(res.failed[0]!.error.message).toMatch(/ZHIMI_BOT_GAMMA_TOKEN/);
    // the puppet service quotes a refused token back ("Invalid Wechaty TOKEN \"…\""): no log line, no stored error shows any token
    expect(logs.text()).toMatch(/UNAUTHENTICATED/);
    const states = await store.models.Bot.find({}).lean();
    for (const token of h.config.bots.map((b) => h.env[b.puppet.tokenEnv!]!)) {
      expect(logs.text()).not.toContain(token);
      expect(JSON.stringify(states)).not.toContain(token);
    }
  });

  it('should store every room of the online bots with member counts that exclude bots', async () => {
    await fleet.discoverGroups();
    const groups = await listGroups(store);
    const expected = [...h.world.rooms.values()].filter((r) => r.memberIds.some((id) => id === 'wxid_bot_alpha' || id === 'wxid_bot_beta'));
    expect(groups).toHaveLength(expected.length);
    for (const room of expected) {
      const g = groups.find((x) => x.roomId === room.id)!;
      expect(g.topic).toBe(room.topic);
      // gamma never logged in, so Zhimi cannot know that its account is a bot: it counts as a member
      const gammaThere = room.memberIds.includes('wxid_bot_gamma') ? 1 : 0;
      expect(g.memberCount).toBe(h.world.humanMemberCount(room.id) + gammaThere);
      expect(g.status).toBe('pending');
      expect(g.segments).toEqual([]);
    }
  });

  it('should write nothing on a second look around when no room changed', async () => {
    const version = await registryVersion(store);
    const before = await store.models.Group.find({}).sort({ roomId: 1 }).lean();
    await fleet.discoverGroups();
    // a restart that finds every room as it was: no write, so a prefetched registry read stays valid
    expect(await registryVersion(store)).toBe(version);
    expect(await store.models.Group.find({}).sort({ roomId: 1 }).lean()).toEqual(before);
  });

  it('should deliver a post said by a bot into the simulated room', async () => {
    const groups = await listGroups(store, { botId: 'alpha' });
    const target = groups[0]!;
    const members = await (fleet.runner('alpha') as BotRunner).say(target.roomId, '【反诈提醒】测试消息');
    const posts = h.world.postsBy('wxid_bot_alpha');
    expect(posts.at(-1)!.roomId).toBe(target.roomId);
    expect(posts.at(-1)!.text).toBe('【反诈提醒】测试消息');
    expect(members.length).toBe(h.world.rooms.get(target.roomId)!.memberIds.length);
  });

  it('should never log a token', () => {
    for (const e of h.sim.endpoints) expect(logs.text()).not.toContain(e.token.slice(9));
  });
});

describe('bots looking around together', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  afterAll(async () => {
    await h?.stop();
    await store?.drop();
  });

  it('should register their looks as one: a room both bots are in is one insert with both, never an insert and an update', async () => {
    store = await openTestStore(import.meta.url + '#together');
    h = await startSimHarness(['east', 'west'], { groups: 30, membersPerGroup: 5, secondBotShare: 1, seed: 11 });
    const fleet = new Fleet({ config: h.config, store, keyer: createMemberKeyer('t'.repeat(32)), officers: configOfficers(h.config, createMemberKeyer('t'.repeat(32))), log: captureLogger('warn').log, clock: new FakeClock(), channel: wechatyChannel(h.puppetFactory), content });
    await Promise.all([fleet.startBot('east'), fleet.startBot('west')]);
    // (each update of a group reads the whole registry on FerretDB)
    const updates = vi.spyOn(store.models.Group, 'updateOne');
    const [east, west] = await Promise.all([fleet.discoverBotGroups('east'), fleet.discoverBotGroups('west')]);
    expect(east).toHaveLength(30);
    expect(west).toHaveLength(30);
    expect(updates).not.toHaveBeenCalled();
    const groups = await listGroups(store);
    expect(groups).toHaveLength(30);
    for (const g of groups) expect(g.botIds.sort()).toEqual(['east', 'west']);
    await fleet.close();
  }, 60_000);
});
