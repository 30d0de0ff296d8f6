import { describe, expect, it } from 'vitest';
import { backstopsDue } from '../../../src/worker/backstops-due.js';

describe('which lease backstops a worker renews this round', () => {
  const BACKSTOP = 60_000;

  it('should renew those renewed a third of the backstop ago or longer, of bots it runs only', () => {
    const leases = new Map([
      ['fresh', { epoch: 1, until: 55_000 }], // renewed 5 s ago
      ['due', { epoch: 2, until: 40_000 }], // 20 s ago
      ['late', { epoch: 3, until: 10_000 }], // 50 s ago
      ['stopped', { epoch: 1, until: 10_000 }],
    ]);
    const due = backstopsDue(leases, new Set(['fresh', 'due', 'late']), 0, BACKSTOP, 40);
    expect([...due]).toEqual([['late', 3], ['due', 2]]);
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
});
