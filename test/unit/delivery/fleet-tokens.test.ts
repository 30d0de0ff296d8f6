import Bottleneck from 'bottleneck';
import { describe, expect, it } from 'vitest';
import { FleetTokens } from '../../../src/delivery/limiters.js';

describe('FleetTokens', () => {
  it('should draw the fleet allowance in chunks and hand it out without a limiter job per batch', async () => {
    const limiter = new Bottleneck({ reservoir: 100, reservoirRefreshAmount: 100, reservoirRefreshInterval: 60_000 });
    const tokens = new FleetTokens(limiter, 10, 100);
    let jobs = 0;
    limiter.on('executing', () => jobs++);
    for (let i = 0; i < 10; i++) await tokens.take(2, false);
    await new Promise((r) => setTimeout(r, 20));
    // 20 posts in chunks of 10, each drawn once less than half a chunk was left: 10 → 4 (draw) → 14 → 4 (draw) → 12
    expect(jobs).toBe(3);
    expect(await limiter.currentReservoir()).toBe(70);
    tokens.close();
    await limiter.stop();
  });

  it('should serve many lanes that wait at once with one draw, when the minute allows it easily', async () => {
    const limiter = new Bottleneck({ reservoir: 100_000, reservoirRefreshAmount: 100_000, reservoirRefreshInterval: 60_000 });
    const tokens = new FleetTokens(limiter, 10, 100_000);
    let jobs = 0;
    limiter.on('executing', () => jobs++);
    await Promise.all(Array.from({ length: 50 }, () => tokens.take(40, false)));
    await new Promise((r) => setTimeout(r, 20));
    // the first lane in, then everyone who queued meanwhile, then as many again to keep in hand: not one draw per lane
    expect(jobs).toBe(3);
    expect(await limiter.currentReservoir()).toBe(100_000 - 40 - 1960 - 1960);
    // the next burst is served from what is in hand, without a draw
    await Promise.all(Array.from({ length: 20 }, () => tokens.take(40, false)));
    expect(jobs).toBe(3);
    tokens.close();
    await limiter.stop();
  });

  it('should never hand out more than the minute allows, and serve urgent requests first when it is spent', async () => {
    const limiter = new Bottleneck({ reservoir: 5, reservoirRefreshAmount: 5, reservoirRefreshInterval: 60_000 });
    const tokens = new FleetTokens(limiter, 5, 5);
    await tokens.take(5, false);
    const order: string[] = [];
    const normal = tokens.take(1, false).then(() => order.push('normal'));
    const urgent = tokens.take(1, true).then(() => order.push('urgent'));
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual([]); // the minute's five are gone
    await limiter.incrementReservoir(5); // the next minute
    await Promise.all([normal, urgent]);
    expect(order).toEqual(['urgent', 'normal']);
    tokens.close();
    await limiter.stop();
  });

  it('should draw ahead when told posts are coming, so the first batch does not wait for a limiter job', async () => {
    const limiter = new Bottleneck({ reservoir: 1000, reservoirRefreshAmount: 1000, reservoirRefreshInterval: 60_000 });
    const tokens = new FleetTokens(limiter, 50, 1000);
    let jobs = 0;
    limiter.on('executing', () => jobs++);
    tokens.prepare();
    await new Promise((r) => setTimeout(r, 20));
    expect(jobs).toBe(1);
    await tokens.take(20, false);
    expect(jobs).toBe(1);
    tokens.close();
    await limiter.stop();
  });

  it('should draw only what waits when workers share the limit (nothing held back from the others)', async () => {
    const limiter = new Bottleneck({ reservoir: 100, reservoirRefreshAmount: 100, reservoirRefreshInterval: 60_000 });
    const tokens = new FleetTokens(limiter, 10, 100, { ahead: false });
    let jobs = 0;
    limiter.on('executing', () => jobs++);
    tokens.prepare();
    for (let i = 0; i < 10; i++) await tokens.take(2, false);
    await new Promise((r) => setTimeout(r, 20));
    expect(jobs).toBe(2); // 20 posts in chunks of 10, none ahead
    expect(await limiter.currentReservoir()).toBe(80);
    tokens.close();
    await limiter.stop();
  });

  it('should let a worker close while a draw waits for the next minute', async () => {
    const { Limiters } = await import('../../../src/delivery/limiters.js');
    const limiters = new Limiters({ fleet: { perMinute: 4 } });
    await limiters.fleetPosts.take(4, false); // the minute is spent; a draw ahead now waits for the next one
    const t = performance.now();
    await limiters.close();
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
