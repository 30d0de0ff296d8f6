import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/clock.js';
import { systemClock } from '../../../src/config/clock.js';
import { timerAt } from '../../../src/campaigns/timer-at.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('timerAt', () => {
  it('should fire once at its time when the wait is longer than one step, not at the end of the first step', async () => {
    const fired: number[] = [];
    const t0 = performance.now();
    timerAt(new Date(Date.now() + 120), systemClock, () => fired.push(performance.now() - t0), 40);
    await tick(60);
    expect(fired).toEqual([]);
    await tick(300);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(110);
  });

  it('should measure each step again on the clock (a one-off post weeks ahead)', async () => {
    const clock = new FakeClock('2026-11-25T10:00:00+08:00');
    let fired = 0;
    timerAt(new Date('2027-01-01T10:00:00+08:00'), clock, () => fired++, 10);
    await tick(35);
    expect(fired).toBe(0);
    clock.set(new Date('2027-01-01T10:00:00+08:00'));
    await tick(100);
    expect(fired).toBe(1);
  });

  it('should fire at once for a time that has passed, and never once cancelled', async () => {
    let fired = 0;
    timerAt(new Date(Date.now() - 1000), systemClock, () => fired++);
    const cancelled = timerAt(new Date(Date.now() + 20), systemClock, () => fired++);
    cancelled.cancel();
    await tick(100);
    expect(fired).toBe(1);
  });
});
