import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { planFor, tagAll } from '../support/plan.js';
import { configOfficers } from '../support/people.js';
import { waitFor } from '../support/wait.js';
import { systemClock } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { FleetWorker } from '../../src/worker/fleet-worker.js';
import { countByStatus } from '../../src/outbox/outbox.js';
import { recordPlan } from '../../src/store/runs-repo.js';
import type { GroupRecord } from '../../src/shared/groups.js';
import type { Store } from '../../src/store/connection.js';

const keyer = createMemberKeyer('e'.repeat(32));

/**
 * What the worker reads, seen from the driver's side: the runs each read of
 * the outbox asked for, and how many times the open runs were looked up (a
 * sweep starts with that).
 */
function watchReads(): { outboxReads: string[][]; runLookups: () => number } {
  const outboxReads: string[][] = [];
  let runLookups = 0;
  mongoose.set('debug', (collection: string, method: string, query: unknown) => {
    if (collection === 'runs' && method === 'find') runLookups++;
    const runIds = (query as { runId?: { $in?: string[] } } | undefined)?.runId?.$in;
    if (collection === 'deliveries' && method === 'find' && runIds) outboxReads.push(runIds);
  });
  return { outboxReads, runLookups: () => runLookups };
}

describe('a run this worker planned itself', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let worker: FleetWorker;
  let groups: GroupRecord[];
  const logs = captureLogger('info');

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['alpha'], { groups: 4, membersPerGroup: 4, seed: 17 });
    for (const b of h.config.bots) b.limits = { minGapMs: 100, jitterMs: 0, perMinute: 600, perHour: 10_000, perDay: 10_000 };
    worker = new FleetWorker({
      config: h.config, store, keyer, officers: configOfficers(h.config, keyer), log: logs.log, clock: systemClock, channel: h.channel, content,
      library: [], tickMs: 200, pollMs: 50, botLeaseMs: 3000, schedule: false,
    });
    await worker.start();
    await waitFor(async () => expect(await tagAll(store)).toHaveLength(4), 20_000);
    groups = await tagAll(store);
  }, 60_000);
  afterEach(() => void mongoose.set('debug', false));
  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should be left out of the periodic sweep while its posts wait here, and be read by a sweep for a reason', async () => {
    const runId = 'planned-here@1';
    // handed to this worker's dispatcher as its planner does, due in a minute: queued here, not sent yet
    await planFor(store, groups, runId, { local: worker.dispatcher, notBefore: new Date(Date.now() + 60_000) });
    await recordPlan(store, runId, groups.length, 0, new Date());
    const reads = watchReads();
    // several periodic sweeps (each one looks up the open runs first; the ticks come every 200 ms)
    await waitFor(() => expect(reads.runLookups()).toBeGreaterThanOrEqual(4), 10_000);
    expect(reads.outboxReads.filter((ids) => ids.includes(runId))).toEqual([]);
    // a sweep for a reason (a bot logged out, in, or started here; the database back) reads every open run
    await worker.sweep();
    expect(reads.outboxReads.filter((ids) => ids.includes(runId))).toHaveLength(1);
    expect(await countByStatus(store, runId)).toMatchObject({ planned: groups.length, sent: 0 });
  }, 30_000);

  it('should be swept, and closed, as soon as its posts are done', async () => {
    const runId = 'planned-here-now@1';
    await planFor(store, groups, runId, { local: worker.dispatcher });
    await recordPlan(store, runId, groups.length, 0, new Date());
    await waitFor(async () => expect((await countByStatus(store, runId)).sent).toBe(groups.length), 15_000);
    // not two minutes later (FRESH_RUN_MS): nothing of it is queued here any more, so the next periodic sweep reads it
    await waitFor(async () => expect((await store.models.Run.findOne({ _id: runId }).lean())?.closedAt).toBeInstanceOf(Date), 10_000);
  }, 30_000);
});
