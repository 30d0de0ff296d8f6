import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlanningPrefetch } from '../../../src/campaigns/planning-prefetch.js';
import { FakeClock } from '../../support/clock.js';

describe('PlanningPrefetch', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => void vi.useRealTimers());
  const setup = () => {
    const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
    let version = 'v1';
    const read = vi.fn(async (_due: Date) => ['g1', 'g2']);
    const p = new PlanningPrefetch({ read, version: async () => version, clock, leadMs: 10_000 });
    return { clock, read, p, setVersion: (v: string) => (version = v) };
  };

  it('should read the registry the lead time before the due time and hand that read to the run', async () => {
    const { clock, read, p } = setup();
    const due = new Date(clock.now().getTime() + 60_000);
    p.arm(due);
    await vi.advanceTimersByTimeAsync(49_000);
    expect(read).not.toHaveBeenCalled();
    clock.set(new Date(due.getTime() - 10_000));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(read).toHaveBeenCalledTimes(1);
    expect(read).toHaveBeenCalledWith(due); // what to read may depend on it (how far back caps count)
    // armed again for the same due time, or a later one, before it: nothing more is read
    p.arm(due);
    p.arm(new Date(due.getTime() + 3_600_000));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(read).toHaveBeenCalledTimes(1);
    clock.set(due);
    expect(await p.take(due)).toEqual(['g1', 'g2']);
    p.close();
  });

  it('should let a read go a minute after its due time, not keep it until the next one', async () => {
    const { clock, p } = setup();
    const due = new Date(clock.now().getTime() + 5_000);
    p.arm(due);
    await vi.advanceTimersByTimeAsync(0);
    clock.set(new Date(due.getTime() + 59_000));
    await vi.advanceTimersByTimeAsync(64_000);
    expect(await p.take(due)).toEqual(['g1', 'g2']); // a run of that time planned late still has it
    clock.set(new Date(due.getTime() + 61_000));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await p.take(due)).toBeUndefined();
    p.close();
  });

  it('should refuse a read the registry changed after, or one older than the lead time', async () => {
    const { clock, p, setVersion } = setup();
    const due = new Date(clock.now().getTime() + 5_000);
    p.arm(due);
    await vi.advanceTimersByTimeAsync(0);
    setVersion('v2'); // an officer tagged a group after the read
    expect(await p.take(due)).toBeUndefined();
    const later = new Date(clock.now().getTime() + 60_000);
    setVersion('v1');
    expect(await p.take(later)).toBeUndefined(); // read 60 s before this due time: too old
    p.close();
  });
});
