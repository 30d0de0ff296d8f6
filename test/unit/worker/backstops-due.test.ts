import { describe, expect, it } from 'vitest';
import { backstopsDue } from '../../../src/worker/backstops-due.js';

describe('which lease backstops a worker renews this round', () => {
  const BACKSTOP = 60_000;

  it('should renew nothing until a backstop was renewed a third of it ago, then every lease of a small fleet in one write', () => {
    const leases = new Map([
      ['fresh', { epoch: 1, until: 55_000 }], // renewed 5 s ago
      ['due', { epoch: 2, until: 40_000 }], // 20 s ago
      ['stopped', { epoch: 1, until: 10_000 }], // not run here any more
    ]);
    expect([...backstopsDue(leases, new Set(['fresh']), 0, BACKSTOP, 40)]).toEqual([]);
    expect([...backstopsDue(leases, new Set(['fresh', 'due']), 0, BACKSTOP, 40)]).toEqual([['due', 2], ['fresh', 1]]);
  });

  it('should spread 200 leases taken together over rounds of at most 40, each renewed before it runs out', () => {
    const leases = new Map(Array.from({ length: 200 }, (_, i) => [`b${i}`, { epoch: 1, until: BACKSTOP }]));
    const running = new Set(leases.keys());
    const sizes: number[] = [];
    let closest = Infinity;
    // a round every 2 s for 5 minutes, each renewed lease held a backstop from then
    for (let t = 0; t <= 300_000; t += 2000) {
      const due = backstopsDue(leases, running, t, BACKSTOP, 40);
      sizes.push(due.size);
      for (const l of leases.values()) closest = Math.min(closest, l.until - t);
      for (const botId of due.keys()) leases.get(botId)!.until = t + BACKSTOP;
    }
    expect(Math.max(...sizes)).toBe(40);
    // the first renewals start 20 s in and take five rounds; after that the rounds stay spread
    expect(sizes.slice(10, 15)).toEqual([40, 40, 40, 40, 40]);
    expect(closest).toBeGreaterThan(BACKSTOP / 2);
  });

  it('should renew every lease close to running out at once, however many (the database back after an outage)', () => {
    const leases = new Map(Array.from({ length: 200 }, (_, i) => [`b${i}`, { epoch: 1, until: i < 150 ? 15_000 : 30_000 }]));
    const due = backstopsDue(leases, new Set(leases.keys()), 0, BACKSTOP, 40);
    // the 150 with a quarter of the backstop left, not the 50 with half of it
    expect(due.size).toBe(150);
    expect(due.has('b149')).toBe(true);
    expect(due.has('b150')).toBe(false);
  });
});
