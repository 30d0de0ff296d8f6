import Bottleneck from 'bottleneck';
import { describe, expect, it } from 'vitest';
import { FleetTokens, Limiters } from '../../../src/delivery/limiters.js';

/** A limiter with a minute's reservoir, fleet tokens drawing from it, and a count of the limiter jobs (draws). */
function fleetOf(perMinute: number, chunk: number, o?: { ahead?: boolean }) {
  const limiter = new Bottleneck({ reservoir: perMinute, reservoirRefreshAmount: perMinute, reservoirRefreshInterval: 60_000 });
  const tokens = new FleetTokens(limiter, chunk, perMinute, o);
  let jobs = 0;
  limiter.on('executing', () => jobs++);
  return {
    limiter,
    tokens,
    jobs: () => jobs,
    close: async () => {
      tokens.close();
      await limiter.stop();
    },
  };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

describe('FleetTokens', () => {
  it('should draw the fleet allowance in chunks and hand it out without a limiter job per batch', async () => {
    const f = fleetOf(100, 10);
    for (let i = 0; i < 10; i++) await f.tokens.take(2, false);
    await settle();
    // 20 posts in chunks of 10, each drawn once less than half a chunk was left: 10 → 4 (draw) → 14 → 4 (draw) → 12
    expect(f.jobs()).toBe(3);
    expect(await f.limiter.currentReservoir()).toBe(70);
    await f.close();
  });

  it('should serve many lanes that wait at once with one draw, when the minute allows it easily', async () => {
    const f = fleetOf(100_000, 10);
    await Promise.all(Array.from({ length: 50 }, () => f.tokens.take(40, false)));
    await settle();
    // the first lane in, then everyone who queued meanwhile, then as many again to keep in hand: not one draw per lane
    expect(f.jobs()).toBe(3);
    expect(await f.limiter.currentReservoir()).toBe(100_000 - 40 - 1960 - 1960);
    // the next burst is served from what is in hand, without a draw
    await Promise.all(Array.from({ length: 20 }, () => f.tokens.take(40, false)));
    expect(f.jobs()).toBe(3);
    await f.close();
  });

  it('should never hand out more than the minute allows, and serve urgent requests first when it is spent', async () => {
    const f = fleetOf(5, 5);
    await f.tokens.take(5, false);
    const order: string[] = [];
    const normal = f.tokens.take(1, false).then(() => order.push('normal'));
    const urgent = f.tokens.take(1, true).then(() => order.push('urgent'));
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual([]); // the minute's five are gone
    await f.limiter.incrementReservoir(5); // the next minute
    await Promise.all([normal, urgent]);
    expect(order).toEqual(['urgent', 'normal']);
    await f.close();
  });

  it('should draw ahead when told posts are coming, so the first batch does not wait for a limiter job', async () => {
    const f = fleetOf(1000, 50);
    f.tokens.prepare();
    await settle();
    expect(f.jobs()).toBe(1);
    await f.tokens.take(20, false);
    expect(f.jobs()).toBe(1);
    await f.close();
  });

  it('should draw only what waits when workers share the limit (nothing held back from the others)', async () => {
    const f = fleetOf(100, 10, { ahead: false });
    f.tokens.prepare();
    for (let i = 0; i < 10; i++) await f.tokens.take(2, false);
    await settle();
    expect(f.jobs()).toBe(2); // 20 posts in chunks of 10, none ahead
    expect(await f.limiter.currentReservoir()).toBe(80);
    await f.close();
  });

  it('should keep a worker without Redis to its part of the fleet limit when several run, and never ask for more than that part at once', async () => {
    const limiters = new Limiters({ fleet: { perMinute: 100 } });
    expect(await limiters.setFleetShare(0.3)).toBe(30);
    expect(await limiters.fleet.currentReservoir()).toBe(30);
    expect(limiters.fleetPosts.allowance).toBe(30); // lane batches are capped to it
    // a request bigger than the part is served in the part's size, never stuck waiting for a minute that cannot hold it
    await limiters.fleetPosts.take(50, false);
    expect(await limiters.fleet.currentReservoir()).toBe(0);
    expect(await limiters.setFleetShare(0)).toBe(1); // a worker with no bots keeps one post a minute
    await limiters.close();
    // with Redis the shared limit holds for all: nothing to divide
    const alone = new Limiters({ fleet: { perMinute: 100 } });
    expect(await alone.setFleetShare(1)).toBe(100);
    await alone.close();
  });

  it('should say what to check when Redis does not answer, instead of leaving every lane waiting', async () => {
    const states: { error?: string }[] = [];
    const limiters = new Limiters({ fleet: { perMinute: 10 } }, { redisUrl: 'redis://:secret@127.0.0.1:1', onRedis: (s) => states.push(s) });
    await expect(limiters.ready(500)).rejects.toThrow(/Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 \(ZHIMI_REDIS_URL\) did not answer within 0\.5 s \(.*ECONNREFUSED.*\): start it \(npm run redis:start\), or unset ZHIMI_REDIS_URL/);
    expect(states.length).toBe(1);
    expect(states[0]!.error).toMatch(/ECONNREFUSED/);
  });

  it('should let a worker close while a draw waits for the next minute', async () => {
    const limiters = new Limiters({ fleet: { perMinute: 4 } });
    await limiters.fleetPosts.take(4, false); // the minute is spent; a draw ahead now waits for the next one
    const t = performance.now();
    await limiters.close();
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
