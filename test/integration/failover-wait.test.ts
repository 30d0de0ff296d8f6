import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { planFor, tagAll } from '../support/plan.js';
import { configOfficers } from '../support/people.js';
import { waitFor as waitUntil } from '../support/wait.js';
import { systemClock } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { FleetWorker } from '../../src/worker/fleet-worker.js';
import { countByStatus, loadDeliveries } from '../../src/outbox/outbox.js';
import { listGroups } from '../../src/store/groups-repo.js';
import type { GroupRecord } from '../../src/shared/groups.js';
import type { Store } from '../../src/store/connection.js';
import { recordPlan } from '../../src/store/runs-repo.js';

const waitFor = <T>(fn: () => Promise<T> | T, timeout = 20_000) => waitUntil(fn, timeout, 100);
const keyer = createMemberKeyer('f'.repeat(32));

describe('posts whose group has no bot online', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let worker: FleetWorker;
  let alphaGroups: GroupRecord[];
  const logs = captureLogger('info');
  const offline = async (): Promise<void> => {
    await h.sim.endpointOf('alpha').dropConnection();
    await waitFor(() => expect(worker.fleet.runner('alpha')?.isOnline).toBe(false));
  };

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['alpha', 'beta'], { groups: 6, membersPerGroup: 5, secondBotShare: 0, seed: 41 });
    for (const b of h.config.bots) b.limits = { minGapMs: 100, jitterMs: 0, perMinute: 600, perHour: 10_000, perDay: 10_000 };
    worker = new FleetWorker({
      config: h.config, store, keyer, officers: configOfficers(h.config, keyer), log: logs.log, clock: systemClock, channel: h.channel, content,
      library: [], tickMs: 200, pollMs: 50, botLeaseMs: 3000, schedule: false, waitForBotMs: 30_000,
    });
    await worker.start();
    await waitFor(async () => expect((await listGroups(store)).length).toBe(6));
    alphaGroups = (await tagAll(store)).filter((g) => g.botIds.join() === 'alpha');
    expect(alphaGroups.length).toBeGreaterThanOrEqual(2);
  });
  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should wait for their bot while its puppet service is away, and go out when it is back', async () => {
    await offline();
    const runId = 'urgent-while-away@1';
    await planFor(store, alphaGroups, runId, { priority: 1 });
    // a 20–40 s outage of the service used to fail them at the first sweep: "no bot online in group"
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await countByStatus(store, runId)).toMatchObject({ failed: 0, planned: alphaGroups.length });
    expect(logs.text()).toMatch(/posts wait for a bot of their group to come online/);
    await h.sim.endpointOf('alpha').restoreConnection();
    await waitFor(async () => expect((await countByStatus(store, runId)).sent).toBe(alphaGroups.length), 30_000).catch(async (e: unknown) => { console.error(JSON.stringify(await countByStatus(store, runId)), logs.lines().filter((l) => /alpha|wait|fail|offline|online/.test(l)).slice(-30).join("\n")); throw e; });
    for (const g of alphaGroups) expect(h.world.roomMessages(g.roomId).filter((m) => m.text.includes(runId))).toHaveLength(1);
  }, 60_000);

  it('should fail them with the reason once their wait is over', async () => {
    await waitFor(() => expect(worker.fleet.runner('alpha')?.isOnline).toBe(true), 20_000);
    await offline();
    const runId = 'still-away@1';
    await planFor(store, alphaGroups, runId);
    // this run's campaign waits 2 s (waitForBotMinutes), not the worker's default
    await recordPlan(store, runId, alphaGroups.length, 0, new Date(), 2000);
    await waitFor(async () => expect((await countByStatus(store, runId)).failed).toBe(alphaGroups.length), 15_000);
    for (const s of await loadDeliveries(store, { runIds: [runId] })) expect(s.reason).toMatch(/^no bot online in group \(waited for one until .*\)$/);
    await h.sim.endpointOf('alpha').restoreConnection();
  }, 60_000);
});
