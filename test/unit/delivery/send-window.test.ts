import { describe, expect, it } from 'vitest';
import { addSendTime, windowCapacity, windowWaitMs } from '../../../src/delivery/send-window.js';

const MIN = 60_000;
const limits = { perMinute: 3, perHour: 5, perDay: 6 };

describe('sliding send windows', () => {
  it('should say go while every window has room, and how much room is left', () => {
    const now = 10 * MIN;
    expect(windowWaitMs([], limits, now)).toBe(0);
    expect(windowCapacity([], limits, now)).toBe(3);
    expect(windowWaitMs([now - 2 * MIN, now - 1000], limits, now)).toBe(0);
    expect(windowCapacity([now - 2 * MIN, now - 1000], limits, now)).toBe(2);
  });

  it('should wait until the oldest send that matters leaves the fullest window', () => {
    const now = 10 * MIN;
    // three in the last minute: the oldest of them leaves the minute 20 s from now
    expect(windowWaitMs([now - 40_000, now - 20_000, now - 1000], limits, now)).toBe(20_001);
    expect(windowCapacity([now - 40_000, now - 20_000, now - 1000], limits, now)).toBe(0);
    // five in the hour (only one in the last minute): the oldest leaves the hour first
    const hour = [now - 50 * MIN, now - 40 * MIN, now - 30 * MIN, now - 20 * MIN, now - 1000];
    expect(windowWaitMs(hour, limits, now)).toBe(10 * MIN + 1);
  });

  it('should keep send times in order and forget the ones older than a day', () => {
    const times: number[] = [];
    for (const t of [1000, 3000, 2000, 2000]) addSendTime(times, t);
    expect(times).toEqual([1000, 2000, 2000, 3000]);
    addSendTime(times, 86_400_000 + 2500);
    expect(times).toEqual([3000, 86_400_000 + 2500]);
  });
});
