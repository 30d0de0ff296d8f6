import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { FakeClock } from '../support/clock.js';
import { testBot, testFleetConfig } from '../support/sim.js';
import { fleetStatus } from '../../src/app/fleet-status.js';
import type { AppContext } from '../../src/app/context.js';
import { announceWorker } from '../../src/store/workers-repo.js';
import { heartbeat } from '../../src/store/bots-repo.js';
import { holdBotLease } from '../../src/store/leases-repo.js';
import type { Store } from '../../src/store/connection.js';
import { testContext } from '../support/people.js';
import { captureLogger } from '../support/log.js';

describe('zhimi fleet status, while a worker is killed', () => {
  let store: Store & { drop(): Promise<void> };
  const clock = new FakeClock('2026-11-25T10:00:00+08:00');
  let app: AppContext;
  const ctx = (): AppContext => (app ??= Object.assign(testContext(store, clock, captureLogger('warn').log), { fleet: () => testFleetConfig([testBot('alpha'), testBot('beta')]) }));

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    // two workers renew every 2 s (their tick) with 10 s presences and leases; alpha runs in A, beta in B
    for (const [w, bot] of [['A', 'alpha'], ['B', 'beta']] as const) {
      await announceWorker(store, { workerId: w, held: 1, failing: [], until: new Date(clock.now().getTime() + 10_000), now: clock.now(), everyMs: 2000 });
      await holdBotLease(store, bot, w, 10_000, clock.now());
      await heartbeat(store, bot, w, clock.now());
    }
  });
  afterAll(async () => store?.drop());

  it('should show a worker not heard from for more than two ticks as late and its bots as unknown, at once (not after its presence runs out)', async () => {
    // B keeps renewing; A was killed with SIGKILL right after its last renewal
    clock.advance(6000);
    await announceWorker(store, { workerId: 'B', held: 1, failing: [], until: new Date(clock.now().getTime() + 10_000), now: clock.now(), everyMs: 2000 });
    await holdBotLease(store, 'beta', 'B', 10_000, clock.now());
    await heartbeat(store, 'beta', 'B', clock.now());
    const s = await fleetStatus(ctx());
    expect(s.workers.map((w) => [w.workerId, w.state, w.bots])).toEqual([['A', 'late', 1], ['B', 'running', 1]]);
    expect(s.workers.find((w) => w.workerId === 'A')!.lastSeenSec).toBe(6);
    const alpha = s.bots.find((b) => b.bot === 'alpha')!;
    expect(alpha).toMatchObject({ state: 'unknown', worker: 'A' });
    expect(alpha.note).toMatch(/worker A has not been heard from for 6 s/);
    expect(s.bots.find((b) => b.bot === 'beta')).toMatchObject({ state: 'online', worker: 'B', note: '' });
  });
});
