import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, TEST_OFFICER, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { planFor, tagAll } from '../support/plan.js';
import { systemClock } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { FleetWorker } from '../../src/worker/fleet-worker.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { SendPacer } from '../../src/delivery/send-pacer.js';
import { Limiters } from '../../src/delivery/limiters.js';
import { countByStatus, loadDeliveries, openDeliveries, runOutcome, skipPlanned } from '../../src/outbox/outbox.js';
import { listGroups, setGroupPaused } from '../../src/store/groups-repo.js';
import { type GroupRecord } from '../../src/shared/groups.js';
import type { Store } from '../../src/store/connection.js';
import type { BotLimits } from '../../src/config/bots.js';
import { waitFor as waitUntil } from '../support/wait.js';
import { createScamDesk } from '../../src/scamcheck/desk.js';
import { askBot } from '../../src/sim/ask-bot.js';
import { paths } from '../../src/config/paths.js';
import { configOfficers } from '../support/people.js';
import { waitUntil as sleepUntil } from '../../src/shared/precise-wait.js';

const LIMITS: BotLimits = { minGapMs: 120, jitterMs: 30, perMinute: 60, perHour: 1000, perDay: 5000 };
const waitFor = <T>(fn: () => Promise<T> | T, timeout = 15_000) => waitUntil(fn, timeout, 50);

describe('fleet delivery over the gRPC simulator', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let worker: FleetWorker;
  let groups: GroupRecord[];
  const logs = captureLogger('info');

  const postsIn = (roomId: string, text: string) => h.world.roomMessages(roomId).filter((m) => m.text === text);
  const finalCounts = async (runId: string) => {
    const c = await countByStatus(store, runId);
    return { ...c, open: c.planned + c.sending };
  };

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['alpha', 'beta'], { groups: 12, membersPerGroup: 15, secondBotShare: 1, seed: 4 });
    for (const b of h.config.bots) b.limits = { ...LIMITS };
    worker = new FleetWorker({
      config: h.config, store, keyer: createMemberKeyer('d'.repeat(32)), officers: configOfficers(h.config, createMemberKeyer('d'.repeat(32))), log: logs.log, clock: systemClock, channel: h.channel, content,
      library: [], tickMs: 200, pollMs: 50, botLeaseMs: 3000, schedule: false,
      policy: { cooldownMs: 300, recoverAfter: 3, retryBaseMs: 50 },
      // residents may ask the bots (the scam check): their answers share the bots' gaps with the posts
      inbound: createScamDesk({ contentDir: paths.content, fleet: h.config, messages: content.messages, hotline: content.ref.hotline, store, keyer: createMemberKeyer('d'.repeat(32)), clock: systemClock, log: logs.log }),
    });
    await worker.start();
    await waitFor(async () => expect((await listGroups(store)).length).toBe(12));
    groups = await tagAll(store);
  });
  afterEach(() => {
    for (const e of h.sim.endpoints) e.puppet.faults = {};
  });
  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should reach every targeted group exactly once, keeping every bot\'s minimum gap', async () => {
    const runId = 'run-once@1';
    expect(await planFor(store, groups, runId, { pick: (g) => g.botIds.sort()[groups.indexOf(g) % 2]! })).toBe(12);
    await waitFor(async () => expect((await finalCounts(runId)).open).toBe(0));
    expect((await finalCounts(runId)).sent).toBe(12);
    for (const g of groups) expect(postsIn(g.roomId, `【${runId}】请勿向陌生账户转账，拨打96110咨询。`)).toHaveLength(1);
    for (const bot of ['alpha', 'beta']) {
      const times = h.world.postsBy(h.world.botContactId(bot)).filter((m) => m.text.includes(runId)).map((m) => m.timestamp).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(LIMITS.minGapMs);
    }
  });

  it('should send what its planner claimed as it was written at once and exactly once, even when a sweep reads it back mid-send', async () => {
    const runId = 'run-ahead@9';
    expect(await planFor(store, groups, runId, { pick: (g) => g.botIds.sort()[groups.indexOf(g) % 2]!, local: worker.dispatcher })).toBe(12);
    // claimed in the delivery documents themselves: no claim events for those
    const claimedAtPlanning = await store.models.Delivery.countDocuments({ runId, claimedBy: worker.workerId });
    expect(claimedAtPlanning).toBeGreaterThan(0);
    // a read right away shows them sending; handed to the queue after they were posted, it must not send them again
    const stale = await loadDeliveries(store, { runIds: [runId] });
    expect(stale.filter((d) => d.status === 'sending')).toHaveLength(claimedAtPlanning);
    await waitFor(async () => expect((await finalCounts(runId)).open).toBe(0));
    await worker.dispatcher.refresh(stale);
    await worker.sweep();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await finalCounts(runId)).sent).toBe(12);
    for (const g of groups) expect(postsIn(g.roomId, `【${runId}】请勿向陌生账户转账，拨打96110咨询。`)).toHaveLength(1);
    expect(await store.models.DeliveryEvent.countDocuments({ runId, kind: 'claim' })).toBe(12 - claimedAtPlanning);
  });

  it('should keep a bot\'s gap between all its messages: answers to a burst of questions in between its posts, and private replies', async () => {
    const runId = 'run-busy@3';
    const alphaGroups = groups.filter((g) => g.botIds.includes('alpha'));
    const alpha = h.world.botContactId('alpha');
    const since = Date.now();
    await planFor(store, alphaGroups.slice(0, 6), runId, { pick: () => 'alpha' });
    await waitFor(() => expect(h.world.postsBy(alpha).filter((m) => m.text.includes(runId)).length).toBeGreaterThanOrEqual(1), 5000);
    // six residents ask at once, in three groups and privately, while the run is sending
    const askers = alphaGroups.slice(0, 3).flatMap((g) => h.world.rooms.get(g.roomId)!.memberIds.filter((id) => h.world.contacts.get(id)?.kind === 'member').slice(0, 1).map((memberId) => ({ memberId, roomId: g.roomId })));
    const asked = await Promise.all([
      ...askers.map((a) => askBot(h.world, { botId: 'alpha', ...a, text: '有人让我下载会议软件开屏幕共享退款，这是诈骗吗？', timeoutMs: 10_000 })),
      ...askers.map((a) => askBot(h.world, { botId: 'alpha', memberId: a.memberId, text: '刷单返利是真的吗？', timeoutMs: 10_000 })),
    ]);
    expect(asked).toHaveLength(6);
    await waitFor(async () => expect((await finalCounts(runId)).sent).toBe(6));
    const times = [...h.world.messages.values()].filter((m) => m.talkerId === alpha && m.timestamp >= since).map((m) => m.timestamp).sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(12);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(LIMITS.minGapMs);
  });

  it('should let an urgent delivery jump the queue', async () => {
    const alphaGroups = groups.filter((g) => g.botIds.includes('alpha'));
    const runId = 'run-normal@2';
    await planFor(store, alphaGroups.slice(0, 8), runId, { pick: () => 'alpha' });
    await waitFor(() => expect(h.world.postsBy(h.world.botContactId('alpha')).filter((m) => m.text.includes(runId)).length).toBeGreaterThanOrEqual(1), 5000);
    await planFor(store, alphaGroups.slice(8, 9), 'run-urgent@2', { pick: () => 'alpha', priority: 1 });
    // what the lane had sent when the urgent post was written (a loaded machine plans slower than the lane sends)
    const sentWhenWritten = h.world.postsBy(h.world.botContactId('alpha')).filter((m) => m.text.includes(runId)).length;
    await waitFor(async () => expect((await finalCounts(runId)).open + (await finalCounts('run-urgent@2')).open).toBe(0));
    const order = h.world.postsBy(h.world.botContactId('alpha')).filter((m) => m.text.includes('@2】')).map((m) => (m.text.includes('urgent') ? 'U' : 'n'));
    // it goes ahead of every normal post still waiting when the worker learns of it (at its next sweep, within 200 ms
    // here: one more post may go meanwhile, at 120–150 ms gaps), but one already in the bot's turn
    expect(order.indexOf('U')).toBeLessThanOrEqual(sentWhenWritten + 2);
    if (sentWhenWritten < 6) expect(order.indexOf('U')).toBeLessThan(order.length - 1);
  });

  it('should hold a post its lane reaches inside the group\'s quiet hours until they end, and send the rest', async () => {
    const runId = 'run-quiet@7';
    // planned before quiet hours began (a long run): the window now covers the present, in Asia/Shanghai wall time
    const hhmm = (ms: number) => new Date(Date.now() + 8 * 3600_000 + ms).toISOString().slice(11, 16);
    const quiet = { from: hhmm(-3600_000), to: hhmm(3600_000) };
    const [quietGroup, ...others] = groups.slice(0, 3);
    expect(await planFor(store, [quietGroup!], runId, { quiet })).toBe(1);
    expect(await planFor(store, others, runId)).toBe(2);
    await waitFor(async () => expect((await finalCounts(runId)).sent).toBe(2));
    await waitFor(async () => {
      const [held] = (await loadDeliveries(store, { runIds: [runId] })).filter((d) => d.groupId === quietGroup!.id);
      expect(held).toMatchObject({ status: 'planned', failures: 0, reason: 'quiet hours began before it was sent; due again when they end' });
      expect(held!.notBefore.getTime()).toBeGreaterThan(Date.now() + 3000_000);
    });
    expect(postsIn(quietGroup!.roomId, `【${runId}】请勿向陌生账户转账，拨打96110咨询。`)).toHaveLength(0);
  });

  it('should skip a post whose validity ended before its turn came (a backlog), and send the ones still valid', async () => {
    const runId = 'run-stale@8';
    const [expiredGroup, ...others] = groups.slice(0, 3);
    // planned while valid (notBefore in the past: a backlog); the post's validUntil passed before a lane reached it
    expect(await planFor(store, [expiredGroup!], runId, { notBefore: new Date(Date.now() - 3600_000), validUntil: new Date(Date.now() - 60_000) })).toBe(1);
    expect(await planFor(store, others, runId, { validUntil: new Date(Date.now() + 3600_000) })).toBe(2);
    await waitFor(async () => expect((await finalCounts(runId)).open).toBe(0));
    expect(await finalCounts(runId)).toMatchObject({ sent: 2, skipped: 1, failed: 0, unknown: 0 });
    const [stale] = (await loadDeliveries(store, { runIds: [runId] })).filter((d) => d.groupId === expiredGroup!.id);
    expect(stale!.reason).toMatch(/^post no longer valid \(validUntil .+\) when its turn came$/);
    expect(postsIn(expiredGroup!.roomId, `【${runId}】请勿向陌生账户转账，拨打96110咨询。`)).toHaveLength(0);
    for (const g of others) expect(postsIn(g.roomId, `【${runId}】请勿向陌生账户转账，拨打96110咨询。`)).toHaveLength(1);
  });

  it('should back off when throttled and recover gradually, losing nothing', async () => {
    const alpha = h.sim.endpointOf('alpha').puppet;
    alpha.faults = { throttleAbovePerMinute: 2 };
    alpha.throttled = 0;
    const throttled = vi.fn();
    const recovered = vi.fn();
    worker.dispatcher.on('bot:throttled', throttled);
    worker.dispatcher.on('bot:recovered', recovered);
    const runId = 'run-throttle@3';
    await planFor(store, groups.filter((g) => g.botIds.includes('alpha')).slice(0, 8), runId, { pick: () => 'alpha' });
    await waitFor(() => expect(throttled).toHaveBeenCalled());
    expect(worker.dispatcher.backoffOf('alpha').factor).toBeGreaterThan(1);
    expect(logs.text()).toMatch(/bot throttled: backing off/);
    alpha.faults = {};
    await waitFor(async () => expect((await finalCounts(runId)).open).toBe(0), 20_000);
    expect((await finalCounts(runId)).sent).toBe(8);
    await waitFor(() => expect(recovered).toHaveBeenCalled());
    expect(alpha.throttled).toBeGreaterThan(0);
  });

  it('should back a bot off when WeChat throttles one of its answers, and hold its posts and answers through the cool-down', async () => {
    const beta = h.sim.endpointOf('beta').puppet;
    const throttled = vi.fn();
    worker.dispatcher.on('bot:throttled', throttled);
    expect(worker.dispatcher.backoffOf('beta').factor).toBe(1);
    beta.faults = { sendError: '发送消息过于频繁，请稍后再试' };
    const g = groups.find((x) => x.botIds.includes('beta'))!;
    const member = h.world.rooms.get(g.roomId)!.memberIds.find((id) => h.world.contacts.get(id)?.kind === 'member')!;
    h.world.mention(g.roomId, member, 'beta', '有人让我交保证金才能提现，是诈骗吗？');
    await waitFor(() => expect(throttled).toHaveBeenCalledWith(expect.objectContaining({ botId: 'beta' })));
    expect(worker.dispatcher.backoffOf('beta').factor).toBeGreaterThan(1);
    expect(worker.dispatcher.pacingOf('beta').holdMs).toBeGreaterThan(0);
    beta.faults = {};
    worker.dispatcher.off('bot:throttled', throttled);
  });

  it('should keep a group\'s history when its room id changes', async () => {
    const before = await listGroups(store);
    const moved = h.world.reidentifyRooms();
    await worker.fleet.discoverBotGroups('alpha');
    await worker.fleet.discoverBotGroups('beta');
    const after = await listGroups(store);
    expect(after).toHaveLength(before.length);
    for (const g of before) {
      const now = after.find((x) => x.id === g.id)!;
      expect(now.roomId).toBe(moved.get(g.roomId));
      expect(now.district).toBe(g.district);
      expect((await store.models.Group.findById(g.id).lean())!.previousRoomIds).toContain(g.roomId);
    }
    const runId = 'run-after-move@4';
    await planFor(store, after.slice(0, 4), runId);
    await waitFor(async () => expect((await finalCounts(runId)).sent).toBe(4));
  });

  it('should hold a paused campaign\'s posts until it is resumed, and skip a cancelled one\'s', async () => {
    const targets = (await listGroups(store, { status: 'active' })).slice(0, 6);
    const alpha = h.world.botContactId('alpha');
    const setStatus = (status: string) => store.models.Campaign.updateOne({ _id: 'run-pause' }, { $set: { status } });
    await store.models.Campaign.create({ _id: 'run-pause', name: '暂停与取消', version: 1, status: 'active', districts: ['all'], priority: 'normal', history: [] });
    const posts = (runId: string) => h.world.postsBy(alpha).filter((m) => m.text.includes(runId)).length;
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    await planFor(store, targets, 'run-pause@7', { pick: () => 'alpha' });
    await waitFor(() => expect(posts('run-pause@7')).toBeGreaterThanOrEqual(1));
    await setStatus('paused');
    await pause(600); // a sweep (every 200 ms here) tells the worker
    const held = posts('run-pause@7');
    await pause(600);
    expect(posts('run-pause@7')).toBe(held);
    expect(held).toBeLessThan(6);
    expect((await finalCounts('run-pause@7')).planned).toBe(6 - held);
    await setStatus('active');
    await waitFor(async () => expect((await finalCounts('run-pause@7')).sent).toBe(6));
    for (const g of targets) expect(h.world.roomMessages(g.roomId).filter((m) => m.text.includes('run-pause@7'))).toHaveLength(1);

    await planFor(store, targets, 'run-pause@8', { pick: () => 'alpha' });
    await waitFor(() => expect(posts('run-pause@8')).toBeGreaterThanOrEqual(1));
    await setStatus('cancelled');
    await waitFor(async () => expect((await finalCounts('run-pause@8')).open).toBe(0));
    const sent = posts('run-pause@8');
    const c = await finalCounts('run-pause@8');
    expect(c.sent).toBe(sent);
    expect(c.skipped).toBe(6 - sent);
    expect(sent).toBeLessThan(6);
    // what `zhimi campaign status` shows under "not sent, and why"
    expect((await runOutcome(store, 'run-pause@8')).notSent).toEqual([{ status: 'skipped', reason: 'campaign cancelled', deliveries: 6 - sent }]);
    await pause(400);
    expect(posts('run-pause@8')).toBe(sent);
  });

  it('should look at a post again in the bot\'s turn: one that waited behind a slow reply is not sent when its campaign was cancelled meanwhile', async () => {
    const [target] = (await listGroups(store, { status: 'active' })).filter((g) => g.botIds.includes('alpha'));
    const alpha = h.world.botContactId('alpha');
    await store.models.Campaign.create({ _id: 'run-late', name: '等待中取消', version: 1, status: 'active', districts: ['all'], priority: 'normal', history: [] });
    // the bot is busy with a reply that takes its time to send (a slow puppet): the post waits for the bot's turn
    const reply = worker.fleet.runner('alpha')!.speak(() => new Promise((resolve) => setTimeout(resolve, 2500)));
    await planFor(store, [target!], 'run-late@1', { pick: () => 'alpha' });
    // claimed by the lane, past the lane's own look at the campaign, now waiting for the turn
    await waitFor(async () => expect((await countByStatus(store, 'run-late@1')).sending).toBe(1));
    await store.models.Campaign.updateOne({ _id: 'run-late' }, { $set: { status: 'cancelled' } });
    await reply;
    await waitFor(async () => expect((await finalCounts('run-late@1')).open).toBe(0));
    expect(await countByStatus(store, 'run-late@1')).toMatchObject({ sent: 0, skipped: 1 });
    expect((await runOutcome(store, 'run-late@1')).notSent).toEqual([{ status: 'skipped', reason: 'campaign cancelled', deliveries: 1 }]);
    expect(h.world.postsBy(alpha).filter((m) => m.text.includes('run-late@1'))).toHaveLength(0);
  });

  it('should not send a post claimed before an officer paused its group with 暂停, though it was already waiting for the bot\'s turn', async () => {
    const target = (await listGroups(store, { status: 'active' })).filter((g) => g.botIds.includes('alpha'))[1]!;
    const alpha = h.world.botContactId('alpha');
    const busy = worker.fleet.runner('alpha')!.speak(() => new Promise((resolve) => setTimeout(resolve, 2500)));
    await planFor(store, [target], 'run-group-pause@1', { pick: () => 'alpha' });
    await waitFor(async () => expect((await countByStatus(store, 'run-group-pause@1')).sending).toBe(1));
    h.world.mention(target.roomId, TEST_OFFICER.id, 'alpha', '暂停');
    await busy;
    await waitFor(async () => expect((await finalCounts('run-group-pause@1')).open).toBe(0));
    expect((await runOutcome(store, 'run-group-pause@1')).notSent).toEqual([{ status: 'skipped', reason: 'group paused by an officer', deliveries: 1 }]);
    expect(postsIn(target.roomId, '【run-group-pause@1】请勿向陌生账户转账，拨打96110咨询。')).toHaveLength(0);
    // the bot answered the officer; 恢复 brings the group back for the tests after this one
    await waitFor(() => expect(h.world.roomMessages(target.roomId).filter((m) => m.talkerId === alpha && m.mentionIds.includes(TEST_OFFICER.id))).toHaveLength(1));
    h.world.mention(target.roomId, TEST_OFFICER.id, 'alpha', '恢复');
    await waitFor(async () => expect((await listGroups(store, { status: 'active' })).map((g) => g.id)).toContain(target.id));
  });

  it('should not send a post its lane holds claimed when an officer paused the group through another worker\'s bot', async () => {
    const target = (await listGroups(store, { status: 'active' })).filter((g) => g.botIds.includes('alpha'))[2]!;
    const alpha = h.world.botContactId('alpha');
    const busy = worker.fleet.runner('alpha')!.speak(() => new Promise((resolve) => setTimeout(resolve, 2000)));
    await planFor(store, [target], 'run-far-pause@1', { pick: () => 'alpha' });
    await waitFor(async () => expect((await countByStatus(store, 'run-far-pause@1')).sending).toBe(1));
    // what the other worker's bot does on the officer's 暂停: no event reaches this worker, only the database
    await setGroupPaused(store, target.roomId, true, new Date());
    await busy;
    await waitFor(async () => expect((await finalCounts('run-far-pause@1')).open).toBe(0));
    expect((await runOutcome(store, 'run-far-pause@1')).notSent).toEqual([{ status: 'skipped', reason: 'group paused by an officer', deliveries: 1 }]);
    expect(h.world.postsBy(alpha).filter((m) => m.text.includes('run-far-pause@1'))).toHaveLength(0);
    // resumed the same way: this worker sends to the group again
    await setGroupPaused(store, target.roomId, false, new Date());
    await new Promise((resolve) => setTimeout(resolve, 400));
    await planFor(store, [target], 'run-far-pause@2', { pick: () => 'alpha' });
    await waitFor(async () => expect((await finalCounts('run-far-pause@2')).sent).toBe(1));
  });

  it('should find out at send time what changed while no worker listened: a removed bot, a room under a new id', async () => {
    const [g1, g2, ...rest] = await listGroups(store, { status: 'active' });
    const alpha = h.world.botContactId('alpha');
    const beta = h.world.botContactId('beta');
    // officers removed alpha from g1, and both bots from g2, and every room got a new id: no event reached the worker
    const roomOf = (g: GroupRecord) => h.world.rooms.get(g.roomId)!;
    roomOf(g1!).memberIds = roomOf(g1!).memberIds.filter((id) => id !== alpha);
    roomOf(g2!).memberIds = roomOf(g2!).memberIds.filter((id) => id !== alpha && id !== beta);
    const moved = h.world.reidentifyRooms();
    const runId = 'run-stale@6';
    const targets = [g1!, g2!, ...rest.slice(0, 2)];
    await planFor(store, targets, runId, { pick: () => 'alpha' });
    await waitFor(async () => expect((await finalCounts(runId)).open).toBe(0), 30_000);
    const states = new Map((await loadDeliveries(store, { runIds: [runId] })).map((d) => [d.groupId, d]));
    // g1: beta, still a member, posted it in the room's new id; the registry forgot alpha there
    expect(states.get(g1!.id)).toMatchObject({ status: 'sent', botId: 'beta', roomId: moved.get(g1!.roomId) });
    expect(h.world.roomMessages(moved.get(g1!.roomId)!).filter((m) => m.text.includes(runId)).map((m) => m.talkerId)).toEqual([beta]);
    const after = new Map((await listGroups(store)).map((g) => [g.id, g]));
    expect(after.get(g1!.id)).toMatchObject({ status: 'active', botIds: ['beta'], roomId: moved.get(g1!.roomId) });
    // g2: no fleet bot is left in it: left, its post skipped with the reason
    expect(states.get(g2!.id)).toMatchObject({ status: 'skipped', reason: 'bot removed from group' });
    expect(after.get(g2!.id)!.status).toBe('left');
    // the others: alpha followed the new room ids and posted once each
    for (const g of rest.slice(0, 2)) {
      expect(states.get(g.id)).toMatchObject({ status: 'sent', botId: 'alpha', roomId: moved.get(g.roomId) });
      expect(h.world.roomMessages(moved.get(g.roomId)!).filter((m) => m.text.includes(runId))).toHaveLength(1);
    }
    expect(logs.text()).toContain('bot is no longer in the group; group marked left');
  });

  it('should hand a logged-out bot\'s pending deliveries to another member bot', async () => {
    const current = await listGroups(store, { status: 'active' });
    const runId = 'run-handover@5';
    await planFor(store, current, runId, { pick: () => 'alpha' });
    await waitFor(() => expect(h.world.postsBy(h.world.botContactId('alpha')).filter((m) => m.text.includes(runId)).length).toBeGreaterThanOrEqual(2));
    await h.sim.endpointOf('alpha').puppet.simulateLogout();
    await waitFor(async () => expect((await finalCounts(runId)).open).toBe(0), 30_000);
    const c = await finalCounts(runId);
    expect(c.sent + c.unknown).toBe(current.length);
    const byBeta = h.world.postsBy(h.world.botContactId('beta')).filter((m) => m.text.includes(runId)).length;
    expect(byBeta).toBeGreaterThan(0);
    for (const g of current) expect(h.world.roomMessages(g.roomId).filter((m) => m.text.includes(runId)).length).toBeLessThanOrEqual(1);
  });
});

describe('sliding limits', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  afterAll(async () => {
    await h?.stop();
    await store?.drop();
  });

  it('should never exceed a bot\'s hourly cap, leaving the rest planned', async () => {
    store = await openTestStore(import.meta.url + '#limits');
    h = await startSimHarness(['solo'], { groups: 6, membersPerGroup: 8, seed: 9 });
    const fleet = new Fleet({ config: h.config, store, keyer: createMemberKeyer('e'.repeat(32)), officers: configOfficers(h.config, createMemberKeyer('e'.repeat(32))), log: captureLogger('warn').log, clock: systemClock, channel: h.channel, content });
    await fleet.start();
    await fleet.discoverGroups();
    const gs = await tagAll(store);
    const limits: BotLimits = { minGapMs: 20, jitterMs: 0, perMinute: 60, perHour: 3, perDay: 100 };
    const limiters = new Limiters(h.config);
    const d = new Dispatcher({ store, clock: systemClock, log: captureLogger('warn').log, workerId: 'w', runnerOf: (id) => fleet.runner(id), botNotInGroup: (b, g) => fleet.botMissingFromGroup(b, g), limitsOf: () => limits, limiters });
    await planFor(store, gs, 'cap@1');
    await d.drain(['solo'], 1000);
    const c = await countByStatus(store, 'cap@1');
    expect(c.sent).toBe(3);
    expect(c.planned).toBe(3);
    expect(h.world.postsBy(h.world.botContactId('solo'))).toHaveLength(3);
    await limiters.close();
    await fleet.close();
  });

  it('should keep a bot\'s gap after its last post recorded by a worker that died, when another worker takes it over', async () => {
    const gs = await listGroups(store, { status: 'active' });
    const limits: BotLimits = { minGapMs: 1500, jitterMs: 0, perMinute: 60, perHour: 1000, perDay: 5000 };
    const posted: number[] = [];
    // the bot as each worker's own runner: a runner of its own has no memory of the other worker's posts
    const bot = { isOnline: true, post: async () => (posted.push(performance.now()), { reach: 8, memberKeys: () => [] }) };
    const worker = (workerId: string) => new Dispatcher({ store, clock: systemClock, log: captureLogger('warn').log, workerId, runnerOf: () => bot, botNotInGroup: async () => [], limitsOf: () => limits, limiters: new Limiters(h.config) });
    await skipPlanned(store, await loadDeliveries(store, { runIds: ['cap@1'] }), 'not this test\'s');
    await planFor(store, [gs[0]!], 'taken-over@1');
    // the first worker's lane stops right after the post (as one killed would), not after the gap
    const dies = worker('dies');
    dies.startLane('solo');
    await dies.refresh();
    await waitFor(() => expect(posted).toHaveLength(1));
    await dies.stopLane('solo');
    await planFor(store, [gs[1]!], 'taken-over@2');
    await worker('takes-over').drain(['solo'], 5000);
    expect(posted).toHaveLength(2);
    expect(posted[1]! - posted[0]!).toBeGreaterThanOrEqual(1500);
  });

  it('should read a post\'s group before its bot\'s gap ends, so the post goes out when the gap ends and not a member read later', async () => {
    const gs = await listGroups(store, { status: 'active' });
    const limits: BotLimits = { minGapMs: 1000, jitterMs: 0, perMinute: 60, perHour: 1000, perDay: 5000 };
    // the group's members read first (a round trip, 150 ms here)
    const { bot, sent } = pacedBot(() => ({ gapMs: limits.minGapMs, holdMs: 0 }), 150);
    await skipPlanned(store, await loadDeliveries(store, { runIds: ['taken-over@2'] }), 'not this test\'s');
    await planFor(store, gs.slice(0, 3), 'on-time@1');
    await new Dispatcher({ store, clock: systemClock, log: captureLogger('warn').log, workerId: 'w', runnerOf: () => bot, botNotInGroup: async () => [], limitsOf: () => limits, limiters: new Limiters(h.config) }).drain(['solo'], 8000);
    expect(sent).toHaveLength(3);
    for (let i = 1; i < sent.length; i++) {
      expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(999);
      expect(sent[i]! - sent[i - 1]!).toBeLessThan(1100); // (a member read after the gap: 1,150 ms and more)
    }
  });

  it('should keep the jitter drawn for each post though the lane comes back before the gap ends', async () => {
    const gs = await listGroups(store, { status: 'active' });
    // a gap of 400 ms and 800 ms of jitter, the whole of it drawn each time: 1,200 ms between posts
    const limits: BotLimits = { minGapMs: 400, jitterMs: 800, perMinute: 60, perHour: 1000, perDay: 5000 };
    let d!: Dispatcher;
    // the bot's turn spaces its messages as the worker's bots do: by the dispatcher's pacing
    const { bot, sent } = pacedBot(() => d.pacingOf('solo'), 0);
    await skipPlanned(store, await openDeliveries(store), 'not this test\'s');
    await planFor(store, gs.slice(3, 6), 'jittered@1');
    d = new Dispatcher({ store, clock: systemClock, log: captureLogger('warn').log, workerId: 'w', runnerOf: () => bot, botNotInGroup: async () => [], limitsOf: () => limits, limiters: new Limiters(h.config), random: () => 1 });
    await d.drain(['solo'], 8000);
    expect(sent).toHaveLength(3);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(1199);
  });
});

/**
 * A bot as the channel's runner is: the group's members read first (`readMs`), then the send in the bot's turn, at
 * least its gap (as `pacing` says) after its last message ended. `sent`: when each send went.
 */
function pacedBot(pacing: () => { gapMs: number; holdMs: number }, readMs: number): { bot: { isOnline: boolean; post(): Promise<{ reach: number; memberKeys(): string[] }> }; sent: number[] } {
  const sent: number[] = [];
  const pacer = new SendPacer(pacing);
  let turn = Promise.resolve();
  const bot = {
    isOnline: true,
    post: async () => {
      await new Promise((resolve) => setTimeout(resolve, readMs));
      const mine = turn.then(async () => {
        await sleepUntil(pacer.next(performance.now()));
        sent.push(performance.now());
        pacer.ended(performance.now());
      });
      turn = mine;
      await mine;
      return { reach: 8, memberKeys: () => [] };
    },
  };
  return { bot, sent };
}
