import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { planFor, tagAll } from '../support/plan.js';
import { configOfficers, keyEnv } from '../support/people.js';
import { startOwnDatabase, type OwnDatabase } from '../support/own-database.js';
import { spawnWorker, writeBotsDir } from '../support/worker-process.js';
import { waitFor as waitUntil } from '../support/wait.js';
import { systemClock } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { FleetWorker } from '../../src/worker/fleet-worker.js';
import { countByStatus, loadDeliveries } from '../../src/outbox/outbox.js';
import { listGroups } from '../../src/store/groups-repo.js';
import { connectStore, ensureIndexes, type Store } from '../../src/store/connection.js';
import type { LocalSender } from '../../src/outbox/plan-outbox.js';

const waitFor = <T>(fn: () => Promise<T> | T, timeout = 20_000) => waitUntil(fn, timeout, 100);
const keyer = createMemberKeyer('o'.repeat(32));

describe('a worker whose claims outlive their lease', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let worker: FleetWorker;
  const logs = captureLogger('info');

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['solo'], { groups: 4, membersPerGroup: 5, secondBotShare: 0, seed: 31 });
    for (const b of h.config.bots) b.limits = { minGapMs: 100, jitterMs: 0, perMinute: 600, perHour: 10_000, perDay: 10_000 };
    worker = new FleetWorker({
      config: h.config, store, keyer, officers: configOfficers(h.config, keyer), log: logs.log, clock: systemClock, channel: h.channel, content,
      library: [], tickMs: 200, pollMs: 50, botLeaseMs: 3000, deliveryLeaseMs: 1000, schedule: false,
    });
    await worker.start();
    await waitFor(async () => expect((await listGroups(store)).length).toBe(4));
  });
  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should give back to planned, not to unknown, a claim its live worker never started to send', async () => {
    const groups = await tagAll(store);
    await waitFor(() => expect(worker.fleet.runner('solo')?.isOnline).toBe(true));
    // claimed as written for this worker, but the hand-over to the lane is lost (as when the insert's answer was)
    const lost: LocalSender = { claimAhead: () => worker.dispatcher.claimAhead(), enqueue: () => undefined };
    const runId = 'lapsed@1';
    expect(await planFor(store, groups, runId, { local: lost })).toBe(4);
    expect(await store.models.Delivery.countDocuments({ runId, claimedBy: worker.workerId })).toBeGreaterThan(0);
    // the claims' lease (1 s) runs out; the worker, alive, knows it never sent them
    await waitFor(async () => expect((await countByStatus(store, runId)).sent).toBe(4));
    const states = await loadDeliveries(store, { runIds: [runId] });
    expect(states.map((s) => s.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    for (const g of groups) expect(h.world.roomMessages(g.roomId).filter((m) => m.text.includes(runId))).toHaveLength(1);
    expect(logs.text()).toMatch(/lapsed before their send started/);
  });
});

describe('a worker whose database goes away', () => {
  let db: OwnDatabase;
  let store: Store;
  let h: SimHarness;
  let worker: FleetWorker;
  const logs = captureLogger('info');
  const lost: Error[] = [];

  beforeAll(async () => {
    db = await startOwnDatabase();
    store = await connectStore(db.uri('outage'));
    await ensureIndexes(store);
    h = await startSimHarness(['north', 'south'], { groups: 6, membersPerGroup: 5, secondBotShare: 0, seed: 32 });
    for (const b of h.config.bots) b.limits = { minGapMs: 150, jitterMs: 0, perMinute: 600, perHour: 10_000, perDay: 10_000 };
    worker = new FleetWorker({
      config: h.config, store, keyer, officers: configOfficers(h.config, keyer), log: logs.log, clock: systemClock, channel: h.channel, content,
      library: [], tickMs: 200, pollMs: 50, botLeaseMs: 3000, deliveryLeaseMs: 2000, schedule: false, dbUnreachableExitMs: 60_000,
      onDatabaseLost: (err) => lost.push(err),
    });
    await worker.start();
    await waitFor(async () => expect((await listGroups(store)).length).toBe(6));
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await store?.close().catch(() => undefined);
    await db?.stop();
  });

  it('should say it once when it starts and once when it ends, lose nothing and send nothing twice, even past a claim\'s lease', async () => {
    const groups = await tagAll(store);
    await waitFor(() => expect(worker.fleet.runner('north')?.isOnline && worker.fleet.runner('south')?.isOnline).toBe(true));
    const runId = 'outage@1';
    expect(await planFor(store, groups, runId, { local: worker.dispatcher })).toBe(6);
    await waitFor(() => expect(h.world.postsBy(h.world.botContactId('north')).length + h.world.postsBy(h.world.botContactId('south')).length).toBeGreaterThanOrEqual(2), 10_000);
    const before = logs.lines().length;
    db.pause();
    // said once the pings have gone unanswered for 5 s (a loaded machine may leave one unanswered for seconds)
    const during = () => logs.lines().slice(before).map((l) => JSON.parse(l) as { level: number; msg: string });
    await waitFor(() => expect(during().filter((l) => /database unreachable/.test(l.msg))).toHaveLength(1), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(during().filter((l) => /database unreachable/.test(l.msg))).toHaveLength(1);
    db.resume();
    await waitFor(async () => {
      const c = await countByStatus(store, runId);
      expect(c.planned + c.sending).toBe(0);
    }, 30_000);
    const c = await countByStatus(store, runId);
    expect(c).toMatchObject({ sent: 6, unknown: 0, failed: 0 });
    for (const g of groups) expect(h.world.roomMessages(g.roomId).filter((m) => m.text.includes(runId))).toHaveLength(1);
    const after = logs.lines().slice(before).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(after.filter((l) => /database back after/.test(l.msg))).toHaveLength(1);
    // nothing else complained: no lane, sweep or writer error of its own
    expect(after.filter((l) => l.level >= 50 && !/database unreachable/.test(l.msg))).toEqual([]);
    expect(lost).toEqual([]);
  }, 90_000);
});

describe('zhimi fleet start without its database for longer than the set time', () => {
  it('should exit 3 with what to check, so that its supervisor restarts it', async () => {
    const db = await startOwnDatabase();
    const h = await startSimHarness(['lonely'], { groups: 2, membersPerGroup: 3, secondBotShare: 0, seed: 33 });
    try {
      const botsDir = writeBotsDir(h, ['officer-test-wang']);
      const p = spawnWorker({ botsDir, mongoUri: db.uri('exits'), env: { ...h.env, ...keyEnv(), ZHIMI_DB_UNREACHABLE_EXIT_MS: '3000' }, workerId: 'X' });
      await waitFor(() => expect(p.output()).toMatch(/running bot \(lease held\)/), 30_000);
      const killedAt = Date.now();
      await db.kill();
      const code = await p.exited;
      expect(code).toBe(3);
      expect(Date.now() - killedAt).toBeLessThan(15_000);
      expect(p.output()).toMatch(/ZHIMI_E_DB_UNREACHABLE.*check that it runs/);
    } finally {
      await h.stop();
      await db.stop();
    }
  }, 60_000);
});
