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
import type { Store } from '../../src/store/connection.js';

const waitFor = <T>(fn: () => Promise<T> | T, timeout = 20_000) => waitUntil(fn, timeout, 100);
const keyer = createMemberKeyer('r'.repeat(32));

describe('reach when the other fleet bot of a group runs in another worker', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  const workers: FleetWorker[] = [];
  const logs = captureLogger('warn');
  const worker = (id: string, only: string): FleetWorker => {
    const w = new FleetWorker({
      config: h.config, store, keyer, officers: configOfficers(h.config, keyer), log: logs.log, clock: systemClock, channel: h.channel, content,
      library: [], tickMs: 200, pollMs: 50, botLeaseMs: 3000, schedule: false, workerId: id,
      cannotRun: (bot) => (bot.id === only ? undefined : `not this worker's bot (test)`),
    });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    // every group has both bots
    h = await startSimHarness(['alpha', 'beta'], { groups: 4, membersPerGroup: 6, secondBotShare: 1, seed: 42 });
    for (const b of h.config.bots) b.limits = { minGapMs: 100, jitterMs: 0, perMinute: 600, perHour: 10_000, perDay: 10_000 };
  });
  afterAll(async () => {
    for (const w of workers) await w.close();
    await h?.stop();
    await store?.drop();
  });

  it('should never count a bot of the fleet as a member, whichever worker runs it and whenever that worker joined', async () => {
    // beta's account is not logged in yet (a new account: its QR code waits to be scanned) while B holds its lease
    h.sim.endpointOf('beta').puppet.faults = { needsScan: true };
    const b = worker('B', 'beta');
    await b.start();
    await waitFor(() => expect(h.sim.endpointOf('beta').puppet.qrShown).toBeGreaterThan(0));
    // A logs alpha in before beta's account is known anywhere
    const a = worker('A', 'alpha');
    await a.start();
    await waitFor(() => expect(a.fleet.runner('alpha')?.isOnline).toBe(true));
    await waitFor(async () => expect((await listGroups(store)).length).toBe(4));
    const groups = await tagAll(store);
    expect(a.fleet.isFleetBot(h.world.botContactId('beta'))).toBe(false);
    // then beta's phone scans the code: it logs in, in the other worker
    h.sim.endpointOf('beta').puppet.simulateLogin();
    await waitFor(() => expect(b.fleet.runner('beta')?.isOnline).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 800));
    const runId = 'reach@1';
    await planFor(store, groups, runId, { pick: () => 'alpha' });
    await waitFor(async () => expect((await countByStatus(store, runId)).sent).toBe(4));
    for (const d of await loadDeliveries(store, { runIds: [runId] })) {
      const people = h.world.rooms.get(d.roomId)!.memberIds.filter((id) => h.world.contacts.get(id)?.kind !== 'bot');
      expect({ room: d.roomId, reach: d.reach }).toEqual({ room: d.roomId, reach: people.length });
    }
  }, 60_000);
});
