import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { planFor, tagAll } from '../support/plan.js';
import { waitFor as waitUntil } from '../support/wait.js';
import { systemClock } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { FleetWorker, type FleetWorkerOptions } from '../../src/worker/fleet-worker.js';
import { countByStatus } from '../../src/outbox/outbox.js';
import { listGroups } from '../../src/store/groups-repo.js';
import { type GroupRecord } from '../../src/shared/groups.js';
import { holdBotLease, leaseHolders } from '../../src/store/leases-repo.js';
import { announceWorker } from '../../src/store/workers-repo.js';
import { onlineBotIds } from '../../src/store/bots-repo.js';
import type { Store } from '../../src/store/connection.js';
import type { PuppetFactory } from '../../src/channels/wechaty/puppet-factory.js';
import { wechatyChannel } from '../../src/channels/wechaty/wechaty-channel.js';
import { configOfficers } from '../support/people.js';

const waitFor = <T>(fn: () => Promise<T> | T, timeout = 20_000) => waitUntil(fn, timeout, 50);
const BOTS = ['h1', 'h2', 'h3', 'h4'];
/** Each bot's gap: longer than a hand-over takes (stop, lease given back, taken, logged in), so a hand-over that does not keep it shows. */
const GAP_MS = 1000;

/** Workers sharing one fleet: who runs which bot, and what happens to posts while a bot changes hands. */
describe('bots changing hands between workers', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let groups: GroupRecord[];
  const logs = captureLogger('info');
  const workers: FleetWorker[] = [];
  const startWorker = async (workerId: string, extra: Partial<FleetWorkerOptions> = {}): Promise<FleetWorker> => {
    const w = new FleetWorker({
      config: h.config, store, keyer: createMemberKeyer('h'.repeat(32)), officers: configOfficers(h.config, createMemberKeyer('h'.repeat(32))), log: logs.log, clock: systemClock, channel: h.channel, content,
      library: [], workerId, tickMs: 200, pollMs: 50, botLeaseMs: 3000, schedule: false, ...extra,
    });
    workers.push(w);
    await w.start();
    return w;
  };
  const held = async (): Promise<Map<string, string>> => leaseHolders(store, new Date());
  const count = (m: Map<string, string>, w: string) => [...m.values()].filter((x) => x === w).length;
  const postsIn = (roomId: string, text: string) => h.world.roomMessages(roomId).filter((m) => m.text === text);

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    // one bot per group, so a post whose bot is away cannot go elsewhere: it must wait for the bot
    h = await startSimHarness(BOTS, { groups: 16, membersPerGroup: 8, secondBotShare: 0, seed: 31 });
    for (const b of h.config.bots) b.limits = { minGapMs: GAP_MS, jitterMs: 0, perMinute: 600, perHour: 10_000, perDay: 50_000 };
  }, 60_000);
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
  });
  afterAll(async () => {
    await h?.stop();
    await store?.drop();
  });

  it('should share the bots out when a second worker starts, handing bots over mid-run without losing or repeating a post', async () => {
    await startWorker('W1');
    await waitFor(async () => expect(count(await held(), 'W1')).toBe(4));
    await waitFor(async () => expect((await listGroups(store)).length).toBe(16));
    groups = await tagAll(store);
    const runs = ['share@1', 'share@2', 'share@3'];
    for (const r of runs) await planFor(store, groups, r);
    await waitFor(async () => expect((await countByStatus(store, runs[0]!)).sent).toBeGreaterThanOrEqual(4));
    await startWorker('W2');
    await waitFor(async () => {
      const m = await held();
      expect([count(m, 'W1'), count(m, 'W2')]).toEqual([2, 2]);
    });
    for (const r of runs) await waitFor(async () => expect((await countByStatus(store, r)).sent).toBe(16));
    for (const r of runs) {
      const c = await countByStatus(store, r);
      expect(c.failed + c.unknown + c.skipped + c.planned + c.sending).toBe(0);
      for (const g of groups) expect(postsIn(g.roomId, `【${r}】请勿向陌生账户转账，拨打96110咨询。`)).toHaveLength(1);
    }
    // the bots handed over were given back by W1 only after their gap: their posts keep it throughout
    for (const bot of BOTS) {
      const times = h.world.postsBy(h.world.botContactId(bot)).map((m) => m.timestamp).sort((x, y) => x - y);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(GAP_MS);
    }
    expect(logs.lines().filter((l) => l.includes('handing a bot over to a worker with fewer bots'))).toHaveLength(2);
    // no Redis here: each worker keeps to its bots' part of the fleet-wide 600 posts a minute
    const part = (w: string) => logs.lines().filter((l) => l.includes(`"workerId":"${w}"`) && l.includes("part of the fleet-wide limit")).map((l) => JSON.parse(l).postsPerMinute as number).at(-1);
    expect([part('W1'), part('W2')]).toEqual([300, 300]);
  }, 60_000);

  it('should hand a worker only bots it can run (a worker without some tokens), leaving none idle or failed', async () => {
    await startWorker('W4');
    await waitFor(async () => expect(count(await held(), 'W4')).toBe(4));
    const lines = logs.lines().length;
    await startWorker('W5', { cannotRun: (bot) => (bot.id === 'h4' ? undefined : `no token for ${bot.id} here`) });
    await waitFor(async () => expect((await held()).get('h4')).toBe('W5'));
    await sleep(1000); // a few more ticks: nothing else moves
    const m = await held();
    expect([...m].sort()).toEqual([['h1', 'W4'], ['h2', 'W4'], ['h3', 'W4'], ['h4', 'W5']]);
    expect(logs.lines().slice(lines).filter((l) => l.includes('could not start'))).toEqual([]);
    expect(await store.models.Bot.countDocuments({ status: 'failed' })).toBe(0);
  }, 60_000);

  it('should keep its bots\' leases while a tick is held up longer than a lease by a slow read', async () => {
    const w = await startWorker('W6');
    await waitFor(async () => expect(count(await held(), 'W6')).toBe(4));
    const epochs = async () => (await store.models.Lease.find({ workerId: 'W6' }, { _id: 1 }).lean()).length;
    const before = await epochs();
    const lines = logs.lines().length;
    // the tick's share of the bots (its reads of workers and leases) takes longer than a lease (3 s), once
    const tickPart = w as unknown as { shareBots(ttl: number): Promise<void> };
    const share = tickPart.shareBots.bind(w);
    let slow = true;
    tickPart.shareBots = async (ttl) => {
      if (slow) {
        slow = false;
        await sleep(4500);
      }
      return share(ttl);
    };
    await sleep(6000);
    expect(logs.lines().slice(lines).filter((l) => l.includes('lost the lease'))).toEqual([]);
    expect(await epochs()).toBe(before);
    expect(count(await held(), 'W6')).toBe(4);
  }, 60_000);

  it('should write its calm bots\' heartbeats together, and renew its presence three times a lease, the leases\' backstops together once a third of them passed', async () => {
    const w = await startWorker('W8');
    await waitFor(() => expect(BOTS.filter((b) => w.fleet.runner(b)?.isOnline)).toEqual(BOTS));
    await sleep(500);
    // (every update rewrites the documents it touches on FerretDB: one each tick held the lanes' claims up on a loaded machine)
    const beats = vi.spyOn(store.models.Bot, 'updateMany');
    // the presence and the leases go through the worker's own connection: counted as the driver sees them
    const writes = { leases: 0, presence: 0 };
    mongoose.set('debug', (collection: string, method: string) => {
      if (collection === 'leases' && method === 'updateMany') writes.leases++;
      if (collection === 'workers' && method === 'updateOne') writes.presence++;
    });
    await sleep(3000);
    mongoose.set('debug', false);
    // 15 ticks of 200 ms: one heartbeat write at most (every minute); the presence of a 3 s lease renewed every second by
    // the lease timer, and written by each tick (who runs how many bots); the leases themselves once in 10 s at most
    expect(beats.mock.calls.length).toBeLessThanOrEqual(1);
    expect(writes.presence).toBeGreaterThanOrEqual(2 + 15 - 2);
    expect(writes.presence).toBeLessThanOrEqual(4 + 15 + 2);
    expect(writes.leases).toBeLessThanOrEqual(1);
    // the leases' backstops (30 s for a 3 s lease) are renewed once a third of one has passed: all four in one write
    const renewed: number[] = [];
    mongoose.set('debug', (collection: string, method: string, filter?: { _id?: { $in?: unknown[] } }) => {
      if (collection === 'leases' && method === 'updateMany') renewed.push(filter?._id?.$in?.length ?? 0);
    });
    await sleep(8500);
    mongoose.set('debug', false);
    expect(renewed).toEqual([4]);
    beats.mockRestore();
    expect([...(await onlineBotIds(store, new Date()))].sort()).toEqual(BOTS);
    expect(count(await held(), 'W8')).toBe(BOTS.length);
  }, 60_000);

  it('should let another worker take the bots of one not heard from for longer than a lease, and have that one stop them when it is heard from again', async () => {
    const a = await startWorker('W9');
    await waitFor(async () => expect(count(await held(), 'W9')).toBe(4));
    // W9 stops renewing (a pause, the database cut off from it): its presence runs out 3 s after its last renewal
    const paused = a as unknown as { renewLeasesIfDue(): Promise<void> | undefined; shareBots(ttl: number): Promise<void> };
    const [renew, share] = [paused.renewLeasesIfDue.bind(a), paused.shareBots.bind(a)];
    let pause = true;
    paused.renewLeasesIfDue = () => (pause ? undefined : renew());
    paused.shareBots = async (ttl) => (pause ? undefined : share(ttl));
    await sleep(3000);
    // its lanes stop with its presence, before anyone may take its bots
    for (const b of BOTS) expect(a.holdsLease(b)).toBe(false);
    const lines = logs.lines().length;
    const b = await startWorker('W10');
    await waitFor(async () => expect(count(await held(), 'W10')).toBe(4));
    pause = false;
    // heard from again: fenced off, it takes its leases anew (the bots the other holds stop here); never does it count
    // as holding a bot the other holds
    let both = 0;
    const watch = setInterval(() => (both += BOTS.filter((bot) => a.holdsLease(bot) && b.holdsLease(bot)).length), 10);
    await waitFor(() => expect(logs.lines().slice(lines).some((l) => l.includes('"workerId":"W9"') && l.includes('taking their leases anew'))).toBe(true));
    await sleep(1000);
    clearInterval(watch);
    expect(both).toBe(0);
    const m = await held();
    for (const bot of BOTS) expect(a.holdsLease(bot)).toBe(m.get(bot) === 'W9');
  }, 60_000);

  it('should run its bots at once when restarted under the same worker id, not leave them to leases its presence still holds', async () => {
    // the process before was killed a moment ago: its presence and its bots' leases (a minute's backstop) are still there
    const now = new Date();
    await announceWorker(store, { workerId: 'W11', held: 4, failing: [], until: new Date(now.getTime() + 3000), now, everyMs: 200 });
    for (const bot of BOTS) await holdBotLease(store, bot, 'W11', 60_000, now);
    const w = await startWorker('W11');
    await waitFor(() => expect(BOTS.filter((b) => w.fleet.runner(b)?.isOnline && w.holdsLease(b))).toEqual(BOTS), 15_000);
  }, 60_000);

  it('should keep a bot\'s posts for it while a worker logs it in after a long stop, not fail them as if it had logged out', async () => {
    // every bot stopped cleanly minutes ago (no heartbeat since), its posts still planned
    await store.models.Bot.updateMany({}, { $set: { status: 'stopped', heartbeatAt: new Date(Date.now() - 10 * 60_000) } });
    await planFor(store, groups, 'restart@1');
    // a puppet service that takes a while to log a bot in
    const slow: PuppetFactory = async (bot) => {
      await sleep(1500);
      return h.puppetFactory(bot);
    };
    await startWorker('W3', { channel: wechatyChannel(slow) });
    await waitFor(async () => expect((await countByStatus(store, 'restart@1')).sent).toBe(16));
    expect((await countByStatus(store, 'restart@1')).failed).toBe(0);
  }, 60_000);
});
