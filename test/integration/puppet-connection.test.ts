import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { planFor, tagAll } from '../support/plan.js';
import { waitFor as waitUntil } from '../support/wait.js';
import { systemClock } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { FleetWorker } from '../../src/worker/fleet-worker.js';
import { BotRunner } from '../../src/channels/wechaty/bot-runner.js';
import { wechatyChannel } from '../../src/channels/wechaty/wechaty-channel.js';
import { botNote } from '../../src/app/bot-note.js';
import { countByStatus } from '../../src/outbox/outbox.js';
import { listGroups } from '../../src/store/groups-repo.js';
import { type GroupRecord } from '../../src/shared/groups.js';
import { listBotStates } from '../../src/store/bots-repo.js';
import { askBot } from '../../src/sim/ask-bot.js';
import { createScamDesk } from '../../src/scamcheck/desk.js';
import { paths } from '../../src/config/paths.js';
import type { Store } from '../../src/store/connection.js';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configOfficers } from '../support/people.js';

const waitFor = <T>(fn: () => Promise<T> | T, timeout = 20_000) => waitUntil(fn, timeout, 50);

/** A bot's puppet service goes away (an outage, a restart of the service) while the account stays logged in there. */
describe('a bot whose puppet service goes away and comes back, over the gRPC simulator', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let worker: FleetWorker;
  let groups: GroupRecord[];
  const logs = captureLogger('info');
  const keyer = createMemberKeyer('c'.repeat(32));
  const postsBy = (bot: string, runId: string) => h.world.postsBy(h.world.botContactId(bot)).filter((m) => m.text.includes(runId));
  const statusOf = async (bot: string) => (await listBotStates(store)).find((s) => s.botId === bot)?.status;

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    // both bots in every group: the other one can take over
    h = await startSimHarness(['near', 'far'], { groups: 8, membersPerGroup: 8, secondBotShare: 1, seed: 21 });
    for (const b of h.config.bots) b.limits = { minGapMs: 150, jitterMs: 0, perMinute: 600, perHour: 10_000, perDay: 50_000 };
    worker = new FleetWorker({
      // reconnect tries 0.3 s apart; a live service answers a ding (the simulated one a second later): asked after 0.4 s of
      // silence, given up after 2.5 s
      config: h.config, store, keyer, officers: configOfficers(h.config, keyer), log: logs.log, clock: systemClock, channel: wechatyChannel(h.puppetFactory, { reconnectDelayMs: () => 300, liveness: { dingAfterMs: 400, lostAfterMs: 2500 } }), content,
      library: [], tickMs: 200, pollMs: 50, botLeaseMs: 3000, schedule: false,
      inbound: createScamDesk({ contentDir: paths.content, fleet: h.config, messages: content.messages, hotline: content.ref.hotline, store, keyer, clock: systemClock, log: logs.log }),
    });
    await worker.start();
    await waitFor(async () => expect((await listGroups(store)).length).toBe(8));
    groups = await tagAll(store);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should take the bot offline at once, hand its posts to the other member bot, and bring it back when the service returns', async () => {
    await planFor(store, groups, 'outage@1', { pick: () => 'near' });
    await waitFor(() => expect(postsBy('near', 'outage@1').length).toBeGreaterThanOrEqual(2));
    const dropped = Date.now();
    await h.sim.endpointOf('near').dropConnection();
    // offline at once: its posts are not tried (and failed) against a service that is gone, they move
    await waitFor(() => expect(worker.fleet.runner('near')!.isOnline).toBe(false), 5000);
    await waitFor(async () => expect(await statusOf('near')).toBe('offline'), 5000);
    // what `zhimi fleet status` says of it
    expect(botNote((await listBotStates(store)).find((s) => s.botId === 'near'))).toMatch(/^puppet connection lost: 14 UNAVAILABLE/);
    // every post sent, but one under way when the connection dropped: it may have gone out, so it is not sent again
    await waitFor(async () => {
      const c = await countByStatus(store, 'outage@1');
      expect(c.sent + c.unknown).toBe(8);
    });
    const byFar = postsBy('far', 'outage@1');
    expect(byFar.length).toBeGreaterThan(0);
    expect(Math.min(...byFar.map((m) => m.timestamp)) - dropped).toBeLessThan(30_000);
    const outage = await countByStatus(store, 'outage@1');
    expect(outage).toMatchObject({ failed: 0, planned: 0, sending: 0 });
    expect(outage.unknown).toBeLessThanOrEqual(1);
    const posted = groups.map((g) => h.world.roomMessages(g.roomId).filter((m) => m.text.includes('outage@1')).length);
    expect(Math.max(...posted)).toBe(1);
    expect(posted.filter((n) => n === 1).length).toBeGreaterThanOrEqual(outage.sent);
    expect(logs.text()).toContain('lost the connection to its puppet service');

    // the service is back: the bot reconnects on its own, posts again and hears residents again (a new event stream)
    await h.sim.endpointOf('near').restoreConnection();
    await waitFor(() => expect(worker.fleet.runner('near')!.isOnline).toBe(true));
    // gone again the moment it came back (its reconnecting may not have ended yet), and back again
    await h.sim.endpointOf('near').dropConnection();
    await waitFor(() => expect(worker.fleet.runner('near')!.isOnline).toBe(false), 5000);
    await h.sim.endpointOf('near').restoreConnection();
    await waitFor(() => expect(worker.fleet.runner('near')!.isOnline).toBe(true));
    await waitFor(async () => expect(await statusOf('near')).toBe('online'), 5000);
    expect(logs.text()).toContain('bot logged in again');
    expect(logs.text()).not.toContain('reachable again, but the account is not logged in');
    await planFor(store, groups.slice(0, 3), 'outage@2', { pick: () => 'near' });
    await waitFor(async () => expect((await countByStatus(store, 'outage@2')).sent).toBe(3));
    expect(postsBy('near', 'outage@2')).toHaveLength(3);
    const member = [...h.world.contacts.values()].find((c) => c.kind === 'member')!;
    const { answer } = await askBot(h.world, { botId: 'near', memberId: member.id, text: '刷单返利是真的吗？', timeoutMs: 10_000 });
    expect(answer.text.length).toBeGreaterThan(0);

  });

  it('should record a post whose connection dropped under its send as unknown (it may have gone out), and send it again through no bot', async () => {
    const e = h.sim.endpointOf('near');
    const send = e.puppet.messageSendText.bind(e.puppet);
    let n = 0;
    e.puppet.messageSendText = async (...args: Parameters<typeof send>) => {
      await send(...args);
      // the third post is in its group; the connection drops before its answer leaves
      if (++n === 3) await e.dropConnection();
    };
    try {
      await planFor(store, groups, 'midsend@1', { pick: () => 'near' });
      await waitFor(async () => {
        const c = await countByStatus(store, 'midsend@1');
        expect(c.planned + c.sending).toBe(0);
      });
      // the rest went out through the other member bot, each once
      expect(await countByStatus(store, 'midsend@1')).toMatchObject({ sent: 7, unknown: 1, failed: 0 });
      for (const g of groups) expect(h.world.roomMessages(g.roomId).filter((m) => m.text.includes('midsend@1'))).toHaveLength(1);
      expect(logs.text()).toContain('the connection to its puppet service dropped during the send');
    } finally {
      e.puppet.messageSendText = send;
      await e.restoreConnection();
    }
    await waitFor(async () => expect(await statusOf('near')).toBe('online'), 10_000);
  });


  it('should give up a puppet service that went silent (a network partition), move the bot\'s posts to the other member bot, and take the bot back after', async () => {
    await planFor(store, groups, 'partition@1', { pick: () => 'near' });
    await waitFor(() => expect(postsBy('near', 'partition@1').length).toBeGreaterThanOrEqual(1));
    h.sim.endpointOf('near').silence();
    const silencedAt = Date.now();
    await waitFor(async () => expect(await statusOf('near')).toBe('offline'), 8000);
    expect(Date.now() - silencedAt).toBeLessThan(6000);
    expect(botNote((await listBotStates(store)).find((s) => s.botId === 'near'))).toMatch(/^puppet connection lost: puppet service went silent: no answer for \d+ s$/);
    await waitFor(async () => {
      const c = await countByStatus(store, 'partition@1');
      expect(c.planned + c.sending).toBe(0);
    }, 20_000);
    // every post sent (most of them by the other bot), but one whose send got no answer: it may have gone out, so it is not sent again
    const c = await countByStatus(store, 'partition@1');
    expect(c).toMatchObject({ failed: 0, skipped: 0 });
    expect(c.sent + c.unknown).toBe(8);
    expect(c.unknown).toBeLessThanOrEqual(1);
    expect(postsBy('far', 'partition@1').length).toBeGreaterThan(0);
    for (const g of groups) expect(h.world.roomMessages(g.roomId).filter((m) => m.text.includes('partition@1')).length).toBeLessThanOrEqual(1);
    h.sim.endpointOf('near').heal();
    await waitFor(async () => expect(await statusOf('near')).toBe('online'), 60_000);
  }, 90_000);
  it('should keep each group\'s history when the bot comes back to rooms under new ids, and post there', async () => {
    const near = h.sim.endpointOf('near');
    near.puppet.faults = { newRoomIdsOnReconnect: true };
    const before = await listGroups(store);
    await near.dropConnection();
    await waitFor(() => expect(worker.fleet.runner('near')!.isOnline).toBe(false), 5000);
    await near.restoreConnection();
    await waitFor(() => expect(worker.fleet.runner('near')!.isOnline).toBe(true));
    // its look at its rooms on the way back found them under new ids: the same groups, history kept
    await waitFor(async () => expect((await listGroups(store)).every((g) => h.world.rooms.has(g.roomId))).toBe(true));
    const after = await listGroups(store);
    expect(after.map((g) => g.id).sort()).toEqual(before.map((g) => g.id).sort());
    for (const g of before) {
      const now = after.find((x) => x.id === g.id)!;
      expect(now.roomId).not.toBe(g.roomId);
      expect(now).toMatchObject({ district: g.district, segments: g.segments, status: g.status });
      expect((await store.models.Group.findById(g.id).lean())!.previousRoomIds).toContain(g.roomId);
    }
    await planFor(store, after.slice(0, 3), 'renamed@1', { pick: () => 'near' });
    await waitFor(async () => expect((await countByStatus(store, 'renamed@1')).sent).toBe(3));
    for (const g of after.slice(0, 3)) expect(h.world.roomMessages(g.roomId).filter((m) => m.text.includes('renamed@1'))).toHaveLength(1);
    near.puppet.faults = {};
    groups = await listGroups(store, { status: 'active' });
  });

  it('should start again a puppet that went off without a word (a reset of its own whose start failed)', async () => {
    const near = worker.fleet.runner('near')!;
    await (near as BotRunner).wechaty.puppet.stop();
    await waitFor(async () => expect(await statusOf('near')).toBe('offline'), 5000);
    await waitFor(() => expect(near.isOnline).toBe(true));
    expect(logs.text()).toContain('its puppet is off (a reset that did not start it again): reconnecting');
    await waitFor(async () => expect(await statusOf('near')).toBe('online'), 5000);
  });

  it('should take back a bot whose account logged out and logged in again, without a restart', async () => {
    await h.sim.endpointOf('far').puppet.simulateLogout();
    await waitFor(async () => expect(await statusOf('far')).toBe('offline'), 5000);
    // while it is away, the other bot serves its groups
    await planFor(store, groups.slice(0, 2), 'relogin@1', { pick: () => 'far' });
    await waitFor(async () => expect((await countByStatus(store, 'relogin@1')).sent).toBe(2));
    expect(postsBy('near', 'relogin@1')).toHaveLength(2);
    h.sim.endpointOf('far').puppet.simulateLogin();
    await waitFor(async () => expect(await statusOf('far')).toBe('online'), 5000);
    await planFor(store, groups.slice(0, 2), 'relogin@2', { pick: () => 'far' });
    await waitFor(async () => expect((await countByStatus(store, 'relogin@2')).sent).toBe(2));
    expect(postsBy('far', 'relogin@2')).toHaveLength(2);
  });
});

/** A bot whose WeChat account is not logged in: someone must scan its QR code with the account's phone. */
describe('a bot whose account must be logged in with a QR scan, over the gRPC simulator', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let worker: FleetWorker;
  const logs = captureLogger('info');
  const qrDir = mkdtempSync(join(tmpdir(), 'zhimi-qr-'));
  const qrFile = join(qrDir, 'fresh.svg');
  const statusOf = async () => (await listBotStates(store)).find((s) => s.botId === 'fresh')?.status;

  beforeAll(async () => {
    store = await openTestStore(import.meta.url + '#scan');
    h = await startSimHarness(['fresh', 'slowscan'], { groups: 2, membersPerGroup: 6, seed: 23 });
    h.sim.endpointOf('fresh').puppet.faults = { needsScan: true };
    h.sim.endpointOf('slowscan').puppet.faults = { needsScan: true };
    worker = new FleetWorker({
      config: { ...h.config, bots: h.config.bots.filter((b) => b.id === 'fresh') }, store, keyer: createMemberKeyer('q'.repeat(32)), officers: configOfficers({ ...h.config, bots: h.config.bots.filter((b) => b.id === 'fresh') }, createMemberKeyer('q'.repeat(32))), log: logs.log, clock: systemClock, channel: wechatyChannel(h.puppetFactory, { loginQrDir: qrDir }), content,
      library: [], tickMs: 200, pollMs: 50, botLeaseMs: 3000, schedule: false,
    });
    await worker.start();
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should write the QR code for the operator, wait for the scan, and log in; again after a logout', async () => {
    // (the file is in place a moment before the line that names it is logged)
    await waitFor(() => expect(logs.text()).toContain('scan the QR code in this file'));
    expect(readFileSync(qrFile, 'utf8')).toMatch(/^<svg/);
    expect(statSync(qrFile).mode & 0o777).toBe(0o600);
    // the code itself (it logs the account in for whoever scans it) is in the file only, never in the log
    expect(logs.text()).not.toContain('zhimi-sim-login');
    expect(await statusOf()).toBe('starting');
    // what `zhimi fleet status` shows the operator
    await waitFor(async () => expect(botNote((await listBotStates(store)).find((s) => s.botId === 'fresh'))).toBe(`scan the QR code in ${qrFile}`));
    expect(worker.fleet.runner('fresh')?.isOnline ?? false).toBe(false);

    // the account's phone scans and confirms
    h.sim.endpointOf('fresh').puppet.simulateLogin();
    await waitFor(async () => expect(await statusOf()).toBe('online'));
    expect(logs.text()).toContain('QR code scanned: confirm the login on the phone');
    expect((await listBotStates(store)).find((s) => s.botId === 'fresh')?.loginQr).toBeUndefined();
    await waitFor(() => expect(existsSync(qrFile)).toBe(false));

    // logged out later: a new code to scan, and the bot back once it is
    await h.sim.endpointOf('fresh').puppet.simulateLogout();
    await waitFor(() => expect(existsSync(qrFile)).toBe(true));
    await waitFor(async () => expect(await statusOf()).toBe('offline'));
    h.sim.endpointOf('fresh').puppet.simulateLogin();
    await waitFor(async () => expect(await statusOf()).toBe('online'));
    await waitFor(() => expect(existsSync(qrFile)).toBe(false));
  });

  it('should wait for a scan longer than a login without one may take', async () => {
    const bot = h.config.bots.find((b) => b.id === 'slowscan')!;
    const runner = new BotRunner({ bot, puppet: await h.puppetFactory(bot), keyer: createMemberKeyer('q'.repeat(32)), log: logs.log, loginTimeoutMs: 300, scanWaitMs: 10_000, loginQrDir: qrDir });
    const started = runner.start();
    await waitFor(() => expect(existsSync(join(qrDir, 'slowscan.svg'))).toBe(true));
    // a person takes a while to pick up the phone: well past the 300 ms a login may otherwise take
    await new Promise((resolve) => setTimeout(resolve, 1000));
    h.sim.endpointOf('slowscan').puppet.simulateLogin();
    await started;
    expect(runner.isOnline).toBe(true);
    await runner.stop();
  });
});

/** A network partition: the puppet service stops answering, without an error and without closing the connection. */
describe('a bot whose puppet service goes silent, over the gRPC simulator', () => {
  let h: SimHarness;
  const logs = captureLogger('info');

  beforeAll(async () => {
    h = await startSimHarness(['quiet'], { groups: 2, membersPerGroup: 4, seed: 33 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('should count the connection as lost within its limit, end a call that never gets an answer, and come back after the partition', async () => {
    const bot = h.config.bots[0]!;
    // a live service answers each ding (the simulated one a second later): the bot asks after 0.4 s of silence, gives up after 2.5 s
    const runner = new BotRunner({ bot, puppet: await h.puppetFactory(bot), keyer: createMemberKeyer('s'.repeat(32)), log: logs.log, liveness: { dingAfterMs: 400, lostAfterMs: 2500 }, reconnectDelayMs: () => 300 });
    const logouts: string[] = [];
    runner.on('logout', (e) => logouts.push(e.reason));
    await runner.start();
    const room = [...h.world.rooms.values()][0]!;
    await runner.say(room.id, '分区前');
    // idle, but alive: asked and answered, never counted lost
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(runner.isOnline).toBe(true);
    expect(logouts).toEqual([]);

    h.sim.endpointOf('quiet').silence();
    const frozenAt = Date.now();
    const during = runner.say(room.id, '分区中').then(() => 'answered', (err: Error) => err.message);
    await waitFor(() => expect(runner.isOnline).toBe(false), 6000);
    expect(Date.now() - frozenAt).toBeLessThan(4000);
    expect(logouts).toEqual([expect.stringMatching(/^puppet connection lost: puppet service went silent: no answer for [23] s$/)]);
    // the call under way ends instead of waiting for ever: before the send nothing went out (it moves); in it, maybe (unknown)
    expect(await during).toMatch(/went silent: no answer to the member list, nothing sent|no answer from its puppet service to the send: timed out, the post may have gone out/);

    h.sim.endpointOf('quiet').heal();
    await waitFor(() => expect(runner.isOnline).toBe(true), 60_000);
    await runner.say(room.id, '分区后');
    expect(h.world.roomMessages(room.id).map((m) => m.text)).toContain('分区后');
    await runner.stop();
  }, 90_000);
});
