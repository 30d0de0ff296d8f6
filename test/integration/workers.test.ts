import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore } from '../support/db.js';
import { startSimHarness, type SimHarness } from '../support/sim.js';
import { planFor, tagAll } from '../support/plan.js';
import { spawnWorker, writeBotsDir, type WorkerProcess } from '../support/worker-process.js';
import { countByStatus, loadDeliveries } from '../../src/outbox/outbox.js';
import { keyEnv, submitApproved, testContext } from '../support/people.js';
import { captureLogger } from '../support/log.js';
import { systemClock } from '../../src/config/clock.js';
import type { Store } from '../../src/store/connection.js';
import { waitFor as waitUntil } from '../support/wait.js';
import { checkStoredDay } from '../../src/app/report-check.js';
import { shanghaiDay } from '../../src/config/clock.js';

const waitFor = <T>(fn: () => Promise<T> | T, timeout = 30_000) => waitUntil(fn, timeout, 100);

describe('several worker processes against one database', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let botsDir: string;
  let uri: string;
  const procs: WorkerProcess[] = [];
  const start = (workerId: string): WorkerProcess => {
    const p = spawnWorker({ botsDir, mongoUri: uri, env: { ...h.env, ...keyEnv() }, workerId, redisUrl: inject('redisUrl') || undefined });
    procs.push(p);
    return p;
  };
  const stop = async (p: WorkerProcess, signal: NodeJS.Signals = 'SIGTERM') => {
    p.child.kill(signal);
    await p.exited;
  };

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['p1', 'p2', 'p3'], { groups: 9, membersPerGroup: 10, secondBotShare: 0, seed: 21 });
    botsDir = writeBotsDir(h, ['officer-test-wang', 'officer-test-lin']);
    uri = inject('mongoUri').replace(/\/[^/?]*(\?|$)/, `/${store.connection.name}$1`);
  }, 60_000);
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) await stop(p, 'SIGKILL');
    await h?.stop();
    await store?.drop();
  });

  it('should leave no duplicate and every delivery final when a worker is killed with SIGKILL mid-run', async () => {
    const a = start('A');
    await waitFor(async () => expect(await store.models.Bot.countDocuments({ status: 'online', workerId: 'A' })).toBe(3)).catch((err: unknown) => {
      console.error(a.output().slice(-3000));
      throw err;
    });
    await waitFor(async () => expect(await store.models.Group.countDocuments()).toBe(9));
    const groups = await tagAll(store);
    const runId = 'crash@1';
    await planFor(store, groups, runId);
    await waitFor(async () => expect((await countByStatus(store, runId)).sent).toBeGreaterThanOrEqual(3));
    await stop(a, 'SIGKILL');
    const sentBeforeRestart = (await countByStatus(store, runId)).sent;
    expect(sentBeforeRestart).toBeLessThan(9);
    const b = start('B');
    await waitFor(async () => {
      const c = await countByStatus(store, runId);
      expect(c.planned + c.sending).toBe(0);
    }, 40_000).catch((err: unknown) => {
      console.error('WORKER B OUTPUT', b.output().slice(-4000));
      throw err;
    });
    const c = await countByStatus(store, runId);
    expect(c.sent + c.unknown + c.failed + c.skipped).toBe(9);
    expect(c.sent).toBeGreaterThan(sentBeforeRestart);
    const text = `【${runId}】请勿向陌生账户转账，拨打96110咨询。`;
    for (const g of groups) expect(h.world.roomMessages(g.roomId).filter((m) => m.text === text).length).toBeLessThanOrEqual(1);
    const sent = (await loadDeliveries(store, { runIds: [runId] })).filter((d) => d.status === 'sent');
    for (const d of sent) expect(h.world.roomMessages(d.roomId).filter((m) => m.text === text)).toHaveLength(1);
    // the reports equal the outbox: what A counted but never wrote is completed from the outbox (by B, once A is certainly gone)
    await waitFor(async () => expect(await store.models.TallySession.countDocuments({ closedAt: { $exists: false }, writer: 'A' })).toBe(0), 40_000);
    await waitFor(async () => expect((await checkStoredDay(store, shanghaiDay(new Date()))).differences).toEqual([]), 10_000);
    await stop(b);
  }, 120_000);

  it('should never run one bot in two workers nor create the same run twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhimi-campaign-'));
    const file = join(dir, 'every-two-seconds.yaml');
    writeFileSync(file, 'id: every-two-seconds\nname: 测试每两秒\naudience: { segments: [general] }\nposts: { audiences: [general] }\nschedule: { cron: "*/2 * * * * *" }\ncaps: { perGroupPerDay: 1, repeatPostAfterDays: 1 }\nquietHours: { default: { from: "00:00", to: "00:00" } }\n');
    await Promise.all([store.models.Delivery.deleteMany({}), store.models.DeliveryEvent.deleteMany({})]); // the first test's posts would hit today's per-group cap
    const a = start('A2');
    const b = start('B2');
    // a stall shows what the workers were doing
    const stalled = setTimeout(() => console.error('STALLED; WORKER A2', a.output().slice(-6000), '\nWORKER B2', b.output().slice(-6000)), 80_000);
    stalled.unref();
    await waitFor(async () => expect(await store.models.Bot.countDocuments({ status: 'online', workerId: { $in: ['A2', 'B2'] } })).toBe(3));
    await waitFor(async () => expect(await store.models.Group.countDocuments()).toBe(9));
    await tagAll(store);
    await submitApproved(testContext(store, systemClock, captureLogger('warn').log), file);
    await waitFor(async () => expect(await store.models.Run.countDocuments({ campaignId: 'every-two-seconds' })).toBeGreaterThanOrEqual(3), 30_000);
    const open = async () => (await loadDeliveries(store, { campaignId: 'every-two-seconds' })).filter((d) => d.status === 'planned' || d.status === 'sending');
    await waitFor(async () => expect(await open()).toHaveLength(0)).catch(async (err: unknown) => {
      const stuck = await open();
      console.error(JSON.stringify(stuck.map((d) => ({ s: d.status, bot: d.botId, nb: d.notBefore, r: d.reason, a: d.attempts, c: d.claimedBy, l: d.leaseUntil }))));
      console.error(a.output().split('\n').filter((l) => /warn|error|"level":[45]0/.test(l)).slice(-15).join('\n'));
      throw err;
    });
    await stop(a);
    await stop(b);
    clearTimeout(stalled);
    // every bot ran, and never in two workers at once: a bot's posts, whichever worker sent them,
    // keep the bot's 1 s gap (two workers sending for one bot would break it)
    const ran = (p: WorkerProcess) => new Set([...p.output().matchAll(/"botId":"(p\d)"[^\n]*running bot \(lease held\)/g)].map((m) => m[1]));
    expect(new Set([...ran(a), ...ran(b)])).toEqual(new Set(['p1', 'p2', 'p3']));
    for (const bot of ['p1', 'p2', 'p3']) {
      const times = h.world.postsBy(h.world.botContactId(bot)).map((m) => m.timestamp).sort((x, y) => x - y);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    }
    const leases = await store.models.Lease.find({}).lean();
    for (const bot of ['p1', 'p2', 'p3']) {
      const epochs = leases.filter((l) => l.botId === bot).map((l) => l.epoch).sort((x, y) => x - y);
      expect(epochs).toEqual(epochs.map((_, i) => i + 1)); // one holder per epoch, no gaps, no two at once
    }
    // runs: one per due time, whichever worker created it
    const runs = await store.models.Run.find({ campaignId: 'every-two-seconds' }).lean();
    expect(new Set(runs.map((r) => r.scheduledAt.getTime())).size).toBe(runs.length);
    expect(new Set(runs.map((r) => r.createdBy)).size).toBeGreaterThanOrEqual(1);
    // and each group got the campaign once (daily cap), never twice
    const sent = (await loadDeliveries(store, { campaignId: 'every-two-seconds' })).filter((d) => d.status === 'sent');
    expect(new Set(sent.map((d) => String(d.groupId))).size).toBe(sent.length);
    expect(sent.length).toBe(9);
  }, 90_000);
});
