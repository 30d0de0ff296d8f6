import { describe, expect, it } from 'vitest';
import { InboundFilter, STALE_INBOUND_MS } from '../../../src/fleet/inbound-filter.js';

describe('InboundFilter: what a bot acts on', () => {
  const now = Date.parse('2026-11-25T10:00:00+08:00');

  it('should act on a message once: the same id delivered again is a duplicate', () => {
    const f = new InboundFilter();
    expect(f.judge('m1', now - 1000, now)).toBe('new');
    expect(f.judge('m1', now - 1000, now + 20)).toBe('duplicate');
    expect(f.judge('m2', now, now)).toBe('new');
  });

  it('should not act on history a puppet replays: sent more than ten minutes before it arrived', () => {
    const f = new InboundFilter();
    expect(f.judge('old', now - STALE_INBOUND_MS - 1, now)).toBe('stale');
    expect(f.judge('recent', now - STALE_INBOUND_MS + 1000, now)).toBe('new');
    // a message stamped a little ahead of this machine's clock is not stale
    expect(f.judge('ahead', now + 5000, now)).toBe('new');
  });

  it('should remember a bounded number of ids, forgetting the oldest first', () => {
    const f = new InboundFilter(3);
    for (const id of ['a', 'b', 'c', 'd']) expect(f.judge(id, now, now)).toBe('new');
    expect(f.judge('d', now, now)).toBe('duplicate');
    expect(f.judge('b', now, now)).toBe('duplicate');
    expect(f.judge('a', now, now)).toBe('new');
  });
});
