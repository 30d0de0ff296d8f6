import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countByStatus } from '../../src/outbox/outbox.js';
import { said, startChaosWorld, tagEveryGroup, type ChaosWorld } from './world.js';
import { waitFor } from '../support/wait.js';

const lines = (out: string): { level: number; msg: string; time: number }[] =>
  out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; time: number });

describe('chaos: the database paused for 150 s, then killed and restarted, during runs', () => {
  let w: ChaosWorld;
  beforeAll(async () => {
    // the worker gives up after 4 minutes without its database: a 150 s pause is survived
    w = await startChaosWorld({ groups: 120, bots: 6, seed: 62, exitAfterMs: 240_000 });
  });
  afterAll(async () => w?.stop());

  it('should wait out a 150 s pause saying so once, send nothing twice, turn no unsent claim into unknown, and report what the outbox holds', async () => {
    const worker = w.startWorker('A');
    await tagEveryGroup(w, 120);
    await waitFor(async () => expect((await w.botsOf('A')).length).toBe(6), 60_000, 500);
    const runId = 'paused@1';
    expect(await w.plan(runId)).toBe(120);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const before = lines(worker.output()).length;
    const pausedAt = Date.now();
    w.db.pause();
    await new Promise((resolve) => setTimeout(resolve, 150_000));
    w.db.resume();
    await w.allFinal([runId], 180_000);
    const c = await countByStatus(w.store, runId);
    const during = lines(worker.output()).slice(before);
    const unreachable = during.filter((l) => /database unreachable/.test(l.msg));
    const summaries = during.filter((l) => /still unreachable/.test(l.msg));
    const back = during.filter((l) => /database back after/.test(l.msg));
    // every part of the worker, the campaign scheduler's syncs included: the watch's lines and nothing else
    const errors = during.filter((l) => l.level >= 50);
    const warnings = during.filter((l) => l.level === 40);
    const verdict = w.judge();
    const check = await w.reportsEqualOutbox(60_000);
    said('database paused 150 s', {
      sent: c.sent, unknown: c.unknown, failed: c.failed, duplicates: verdict.duplicates.length, gapViolations: verdict.gapViolations.length, smallestGapMs: verdict.smallestGapMs,
      saidUnreachableAfterSec: unreachable[0] ? (unreachable[0].time - pausedAt) / 1000 : null, summaries: summaries.length, back: back.map((l) => l.msg), errorLines: errors.map((l) => ({ msg: l.msg, module: (l as { module?: string }).module, err: (l as { err?: unknown }).err })), warningLines: warnings.length, schedulerLines: during.filter((l) => (l as { module?: string }).module === 'scheduler').length, outbox: check.records,
    });
    expect(worker.child.exitCode).toBeNull();
    expect(c).toMatchObject({ sent: 120, unknown: 0, failed: 0 });
    expect(verdict.duplicates).toEqual([]);
    expect(verdict.gapViolations).toEqual([]);
    expect(unreachable).toHaveLength(1);
    expect((unreachable[0]!.time - pausedAt) / 1000).toBeLessThan(10);
    expect(summaries.length).toBeLessThanOrEqual(3);
    expect(back).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(warnings.length).toBeLessThanOrEqual(3);
  });

  it('should carry on after the database is killed and started again on its port, and report what the outbox holds', async () => {
    const worker = w.workers.get('A')!;
    const runId = 'restarted@1';
    expect(await w.plan(runId)).toBe(120);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const before = lines(worker.output()).length;
    await w.db.kill();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await w.db.restart();
    await w.allFinal([runId], 180_000);
    const c = await countByStatus(w.store, runId);
    const verdict = w.judge();
    const check = await w.reportsEqualOutbox(60_000);
    const after = lines(worker.output()).slice(before);
    said('database killed and restarted', { sent: c.sent, unknown: c.unknown, failed: c.failed, duplicates: verdict.duplicates.length, gapViolations: verdict.gapViolations.length, back: after.filter((l) => /database back after/.test(l.msg)).map((l) => l.msg), outbox: check.records });
    expect(worker.child.exitCode).toBeNull();
    expect(c.sent + c.unknown).toBe(120);
    expect(c.failed).toBe(0);
    expect(verdict.duplicates).toEqual([]);
    expect(verdict.gapViolations).toEqual([]);
    expect(after.filter((l) => /database back after/.test(l.msg))).toHaveLength(1);
  });
});
