import { describe, expect, it } from 'vitest';
import { SendPacer, type Pacing } from '../../../src/delivery/send-pacer.js';

describe('SendPacer: every message of a bot in its turn', () => {
  const pacer = (p: Pacing | (() => Pacing)) => new SendPacer(typeof p === 'function' ? p : () => p);

  it('should let a bot that has been quiet send at once, and the next message one gap after the last one ended', () => {
    const s = pacer({ gapMs: 3000, holdMs: 0 });
    expect(s.next(10_000)).toBe(10_000);
    s.ended(10_040); // the send took 40 ms
    expect(s.next(10_500)).toBe(13_040);
    s.ended(13_050);
    // long after: at once again
    expect(s.next(60_000)).toBe(60_000);
  });

  it('should hold every message through a cool-down and stretch the gap while the bot backs off', () => {
    let p: Pacing = { gapMs: 6000, holdMs: 120_000 };
    const s = pacer(() => p);
    s.ended(0);
    expect(s.next(1000)).toBe(121_000);
    p = { gapMs: 6000, holdMs: 0 };
    s.ended(121_010);
    expect(s.next(121_500)).toBe(127_010);
  });

  it('should say when the gap after the last message ends (a bot stopping waits for it, a cool-down aside)', () => {
    const s = pacer({ gapMs: 3000, holdMs: 120_000 });
    expect(s.gapEndsAt()).toBe(-Infinity);
    s.ended(10_040);
    expect(s.gapEndsAt()).toBe(13_040);
  });

  it('should send at once with no gap (limits set to zero)', () => {
    const s = pacer({ gapMs: 0, holdMs: 0 });
    s.ended(5);
    expect(s.next(5)).toBe(5);
  });
});
