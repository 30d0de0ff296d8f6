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
    expect(jobs).toBe(2); // 20 posts in chunks of 10
    expect(await limiter.currentReservoir()).toBe(80);
    tokens.close();
    await limiter.stop();
  });

  it('should serve many lanes that wait at once with one draw, when the minute allows it easily', async () => {
    const limiter = new Bottleneck({ reservoir: 100_000, reservoirRefreshAmount: 100_000, reservoirRefreshInterval: 60_000 });
    const tokens = new FleetTokens(limiter, 10, 100_000);
    let jobs = 0;
    limiter.on('executing', () => jobs++);
    await Promise.all(Array.from({ length: 50 }, () => tokens.take(40, false)));
    expect(jobs).toBe(2); // the first lane in, then everyone who queued meanwhile: not one draw per lane
    expect(await limiter.currentReservoir()).toBe(100_000 - 2000);
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
});
