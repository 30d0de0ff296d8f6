import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { captureLogger } from '../support/log.js';
import { content, testBot, testFleetConfig } from '../support/sim.js';
import { configOfficers } from '../support/people.js';
import { systemClock } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { FleetWorker } from '../../src/worker/fleet-worker.js';
import { holdBotLease } from '../../src/store/leases-repo.js';
import { announceWorker } from '../../src/store/workers-repo.js';
import type { Store } from '../../src/store/connection.js';

describe('a worker restarted while a dead worker\'s leases still hold its bots', () => {
  let store: Store & { drop(): Promise<void> };
  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
  });
  afterAll(async () => store?.drop());

  it('should say what it waits for, and for how long, instead of staying silent until the leases lapse', async () => {
    const keyer = createMemberKeyer('s'.repeat(32));
    const config = testFleetConfig([testBot('alpha'), testBot('beta')]);
    // the worker that ran them was killed a moment ago: not heard from for 4 s (two ticks of 1.5 s and a second), its
    // presence (and with it its leases) holds 2 s more
    const now = Date.now();
    await announceWorker(store, { workerId: 'killed-worker', held: 2, failing: [], until: new Date(now + 2000), now: new Date(now - 4000), everyMs: 1500 });
    for (const b of ['alpha', 'beta']) await holdBotLease(store, b, 'killed-worker', 60_000, new Date());
    const logs = captureLogger('info');
    const worker = new FleetWorker({
      config, store, keyer, officers: configOfficers(config, keyer), log: logs.log, clock: systemClock, content, library: [], schedule: false, tickMs: 200,
      channel: async () => { throw new Error('not reached in this test'); },
    });
    await worker.start();
    await worker.close();
    const line = logs.lines().map((l) => JSON.parse(l) as { msg: string; bots?: string[]; inSec?: number }).find((l) => /waiting for worker killed-worker/.test(l.msg));
    expect(line?.msg).toMatch(/waiting for worker killed-worker, not heard from, to let go of 2 bot\(s\): their leases run out within \d s, then they are taken over/);
    expect(line?.bots).toEqual(['alpha', 'beta']);
    expect(line!.inSec).toBeLessThanOrEqual(2);
  });
});
