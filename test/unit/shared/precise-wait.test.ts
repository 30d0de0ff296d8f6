import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../../src/shared/precise-wait.js';

describe('waitUntil', () => {
  it('should never wake early, to the fraction of a millisecond, with many waits at once', async () => {
    const start = performance.now();
    const targets = Array.from({ length: 40 }, (_, i) => start + 2 + i * 0.37);
    const woke = await Promise.all(targets.map((t) => waitUntil(t).then(() => performance.now())));
    woke.forEach((w, i) => expect(w).toBeGreaterThanOrEqual(targets[i]!));
    // late by at most a turn of the event loop (loose: the machine may be busy)
    const lateMs = woke.map((w, i) => w - targets[i]!);
    expect(Math.max(...lateMs)).toBeLessThan(50);
  });

  it('should resolve at once for a time already past', async () => {
    const t = performance.now();
    await waitUntil(t - 5);
    expect(performance.now() - t).toBeLessThan(5);
  });

  it('should stop waiting when aborted', async () => {
    const stop = new AbortController();
    const t = performance.now();
    setTimeout(() => stop.abort(), 5);
    await waitUntil(t + 10_000, stop.signal);
    expect(performance.now() - t).toBeLessThan(1_000);
  });
});
