import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { said, startChaosWorld, tagEveryGroup, type ChaosWorld } from './world.js';
import { waitFor } from '../support/wait.js';

/** Goal (issue 24): a killed worker's bots send again from another worker within 15 s of the kill. */
const RECOVERY_GOAL_S = 15;

describe('chaos: workers killed with SIGKILL twice in a run', () => {
  let w: ChaosWorld;
  beforeAll(async () => {
    w = await startChaosWorld({ groups: 300, bots: 12, seed: 61, exitAfterMs: 30_000 });
  });
  afterAll(async () => w?.stop());

  it('should post nothing twice, keep every gap, end every delivery, resume within 15 s of each kill, and report what the outbox holds', async () => {
    w.startWorker('A');
    w.startWorker('B');
    await tagEveryGroup(w, 300);
    await waitFor(async () => expect((await w.botsOf('A')).length + (await w.botsOf('B')).length).toBe(12), 60_000, 500);
    const runId = 'sigkill@1';
    expect(await w.plan(runId)).toBe(300);
    // kill A a few seconds into the run, then B once A's bots run there
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const firstVictims = await w.botsOf('A');
    const firstKill = Date.now();
    await w.kill('A');
    w.startWorker('C');
    await waitFor(async () => expect((await w.botsOf('B')).length + (await w.botsOf('C')).length).toBe(12), 60_000, 500);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const secondVictims = await w.botsOf('B');
    const secondKill = Date.now();
    await w.kill('B');
    await w.allFinal([runId], 240_000);
    const first = w.sentAgainWithin(firstVictims, firstKill);
    const second = w.sentAgainWithin(secondVictims, secondKill);
    const verdict = w.judge();
    const check = await w.reportsEqualOutbox(150_000);
    said('sigkill', { posts: verdict.posts, duplicates: verdict.duplicates.length, gapViolations: verdict.gapViolations.length, smallestGapMs: verdict.smallestGapMs, resumedAfterFirstKillSec: first, resumedAfterSecondKillSec: second, outbox: check.records });
    if (first > RECOVERY_GOAL_S || second > RECOVERY_GOAL_S) console.error([...w.timeline(firstVictims, firstKill).slice(0, 40), '---', ...w.timeline(secondVictims, secondKill).slice(0, 40)].join('\n'));
    expect(verdict.duplicates).toEqual([]);
    expect(verdict.gapViolations).toEqual([]);
    expect(first).toBeLessThanOrEqual(RECOVERY_GOAL_S);
    expect(second).toBeLessThanOrEqual(RECOVERY_GOAL_S);
    // every post the outbox calls sent reached its group, once
    expect(verdict.posts).toBeGreaterThanOrEqual(check.records.sent);
  });
});
