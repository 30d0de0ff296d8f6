import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { said, startChaosWorld, tagEveryGroup, type ChaosWorld } from './world.js';
import { waitFor } from '../support/wait.js';
import { NO_REDIS } from '../support/redis-note.js';

/** Goal (issue 24): a killed worker's bots send again from another worker within 15 s of the kill, with Redis too. */
const RECOVERY_GOAL_S = 15;

describe('chaos: two workers sharing their limits through Redis, one killed with SIGKILL', () => {
  let w: ChaosWorld | undefined;
  const redisUrl = inject('redisUrl');
  beforeAll(async () => {
    if (redisUrl) w = await startChaosWorld({ groups: 240, bots: 8, seed: 63, exitAfterMs: 30_000 });
  });
  afterAll(async () => w?.stop());

  it('should have the killed worker\'s bots send again from the other within 15 s (its slots in Redis freed), nothing twice, every gap kept', async (ctx) => {
    if (!redisUrl || !w) return ctx.skip(NO_REDIS);
    // a claim's production lease (2 min) is what a dead worker's slot in the shared limiter was held for
    w.startWorker('A', { redisUrl });
    w.startWorker('B', { redisUrl });
    await tagEveryGroup(w, 240);
    await waitFor(async () => expect((await w!.botsOf('A')).length + (await w!.botsOf('B')).length).toBe(8), 60_000, 500);
    const runId = 'redis@1';
    expect(await w.plan(runId)).toBe(240);
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const victims = await w.botsOf('A');
    expect(victims.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    await w.kill('A');
    await w.allFinal([runId], 240_000);
    const resumed = w.sentAgainWithin(victims, killedAt);
    if (resumed > RECOVERY_GOAL_S) console.error(w.timeline(victims, killedAt).slice(0, 60).join('\n'));
    const verdict = w.judge();
    const check = await w.reportsEqualOutbox(150_000);
    said('redis, a worker killed', { victims: victims.length, resumedAfterKillSec: resumed, posts: verdict.posts, duplicates: verdict.duplicates.length, gapViolations: verdict.gapViolations.length, smallestGapMs: verdict.smallestGapMs, outbox: check.records });
    expect(verdict.duplicates).toEqual([]);
    expect(verdict.gapViolations).toEqual([]);
    expect(resumed).toBeLessThanOrEqual(RECOVERY_GOAL_S);
  });
});
