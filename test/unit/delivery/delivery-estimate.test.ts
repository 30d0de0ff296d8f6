import { describe, expect, it } from 'vitest';
import { estimateDelivery, type EstimateBot } from '../../../src/delivery/delivery-estimate.js';

const limits = { minGapMs: 3000, jitterMs: 2000, perMinute: 40, perHour: 300, perDay: 1500 };
const bot = (botId: string, posts: number, extra: Partial<EstimateBot> = {}): EstimateBot => ({ botId, limits, backoffFactor: 1, recentSends: [], ahead: 0, posts, ...extra });
const base = { start: 0, fleetPerMinute: 600, startupMs: 1000, sendMs: 0 };

describe('how long posts take to reach their groups', () => {
  it('should space each bot\'s posts by its mean gap, bots in parallel', () => {
    const e = estimateDelivery({ ...base, bots: [bot('a', 10), bot('b', 5)] });
    // 10 posts: the first at 1 s, then nine gaps of 4 s
    expect(e.perBot).toEqual([{ botId: 'a', posts: 10, firstAt: 1000, lastAt: 37_000 }, { botId: 'b', posts: 5, firstAt: 1000, lastAt: 17_000 }]);
    expect(e.lastAt).toBe(37_000);
  });

  it('should put the posts already ahead in the queue first, and wait out a cool-down', () => {
    expect(estimateDelivery({ ...base, bots: [bot('a', 2, { ahead: 3 })] }).lastAt).toBe(1000 + 4 * 4000);
    expect(estimateDelivery({ ...base, bots: [bot('a', 1, { cooldownUntil: 60_000 })] }).lastAt).toBe(60_000);
    expect(estimateDelivery({ ...base, bots: [bot('a', 2, { backoffFactor: 2 })] }).lastAt).toBe(1000 + 8000);
  });

  it('should keep each bot within its sliding windows, counting what it sent already', () => {
    // 300 sends in the last hour, the oldest 50 minutes ago: the next one waits until it leaves the hour
    const recent = Array.from({ length: 300 }, (_, k) => -3_000_000 + k * 1000);
    const e = estimateDelivery({ ...base, bots: [bot('a', 1, { recentSends: recent })] });
    expect(e.lastAt).toBe(-3_000_000 + 3_600_000 + 1);
  });

  it('should keep the fleet within its posts a minute across bots', () => {
    const bots = Array.from({ length: 10 }, (_, k) => bot(`b${k}`, 3, { limits: { ...limits, minGapMs: 1000, jitterMs: 0 } }));
    const e = estimateDelivery({ ...base, fleetPerMinute: 10, bots });
    // 30 posts at 10 a minute: the last ten in the third minute
    expect(e.lastAt).toBeGreaterThanOrEqual(120_000);
    expect(e.lastAt).toBeLessThan(125_000);
  });

  it('should answer the start for nothing to send', () => {
    expect(estimateDelivery({ ...base, start: 5, bots: [] })).toEqual({ lastAt: 5, perBot: [] });
  });
});
