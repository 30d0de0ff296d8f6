import { describe, expect, it } from 'vitest';
import { beatsDue, NO_BEAT, type Beat } from '../../../src/shared/heartbeat-cadence.js';

const calm = (botId: string): Beat => ({ botId, backoff: { factor: 1, cooldownUntil: 0 } });
const ids = (beats: readonly Beat[]): string[] => beats.map((b) => b.botId);

describe('which heartbeats a worker writes on a tick', () => {
  it('should write the calm bots together every 5 s, not every tick', () => {
    const bots = [calm('a'), calm('b'), calm('c')];
    let last = NO_BEAT;
    const written: string[][] = [];
    // ticks of 1.5 s for 12 s
    for (let t = 0; t <= 12_000; t += 1500) {
      const r = beatsDue(bots, t, last, 5000);
      last = r.last;
      written.push(ids(r.due));
    }
    // at 0, 6 s and 12 s: the first tick at least 5 s after the last write
    expect(written.map((w, i) => (w.length ? i * 1.5 : undefined)).filter((x) => x !== undefined)).toEqual([0, 6, 12]);
    expect(written[0]).toEqual(['a', 'b', 'c']);
  });

  it('should write a bot backing off every tick, alone', () => {
    const throttled: Beat = { botId: 't', backoff: { factor: 2, cooldownUntil: 0 } };
    const cooling: Beat = { botId: 'u', backoff: { factor: 1, cooldownUntil: 9000 } };
    const first = beatsDue([calm('a'), throttled, cooling], 1000, NO_BEAT, 5000);
    expect(ids(first.due)).toEqual(['a', 't', 'u']);
    const next = beatsDue([calm('a'), throttled, cooling], 2500, first.last, 5000);
    expect(ids(next.due)).toEqual(['t', 'u']);
  });

  it('should write a bot at once when it becomes calm (logged in, taken over, recovered), with the other calm ones of a small fleet', () => {
    const first = beatsDue([calm('a'), calm('b')], 0, NO_BEAT, 5000);
    expect(ids(beatsDue([calm('b'), calm('a')], 1500, first.last, 5000).due)).toEqual([]);
    expect(ids(beatsDue([calm('a'), calm('b'), calm('c')], 1500, first.last, 5000).due)).toEqual(['c', 'a', 'b']);
    // a bot that stopped is not written, nor the others for it, and is forgotten
    const stopped = beatsDue([calm('a')], 1500, first.last, 5000);
    expect(ids(stopped.due)).toEqual([]);
    expect([...stopped.last.keys()]).toEqual(['a']);
    // a bot whose cool-down ended is calm again: its heartbeat (back-off 1) is written at once
    const cooling: Beat = { botId: 'b', backoff: { factor: 1, cooldownUntil: 2000 } };
    const during = beatsDue([calm('a'), cooling], 1800, first.last, 5000);
    expect(ids(during.due)).toEqual(['b']);
    expect(ids(beatsDue([calm('a'), cooling], 3000, during.last, 5000).due)).toEqual(['b', 'a']);
  });

  it('should write at most `most` calm bots a tick, those written longest ago first', () => {
    const bots = 'abcdefghij'.split('').map(calm);
    let last = NO_BEAT;
    const written: string[][] = [];
    const lastWrite = new Map<string, number>();
    let longest = 0;
    for (let t = 0; t <= 30_000; t += 1500) {
      const r = beatsDue(bots, t, last, 5000, 4);
      last = r.last;
      written.push(ids(r.due));
      for (const b of ids(r.due)) {
        if (lastWrite.has(b)) longest = Math.max(longest, t - lastWrite.get(b)!);
        lastWrite.set(b, t);
      }
    }
    // the ones never written first; the slice filled up with the oldest
    expect(written.slice(0, 3)).toEqual([['a', 'b', 'c', 'd'], ['e', 'f', 'g', 'h'], ['i', 'j', 'a', 'b']]);
    expect(Math.max(...written.map((w) => w.length))).toBe(4);
    // every bot written at least every 6 s (the first tick at least 5 s after the oldest write)
    expect(lastWrite.size).toBe(10);
    expect(longest).toBeLessThanOrEqual(6000);
  });
});
