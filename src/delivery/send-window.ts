import type { BotLimits } from '../config/bots.js';

type WindowLimits = Pick<BotLimits, 'perMinute' | 'perHour' | 'perDay'>;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Index of the first time after `t` in ascending `sorted` (binary search). */
function firstAfter(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Sends inside the window of `span` ending at `now`, and when the oldest of the last `cap` leaves it. */
function windowWait(sorted: readonly number[], span: number, cap: number, now: number): number {
  const inside = sorted.length - firstAfter(sorted, now - span);
  if (inside < cap) return 0;
  // the oldest send that must leave the window before one more fits
  return sorted[sorted.length - cap]! + span - now + 1;
}

/**
 * How long a bot must wait before its next send so that no sliding minute,
 * hour or day holds more sends than its limits allow. `sorted` are the bot's
 * send times (ms), ascending (see `addSendTime`). Pure, no allocation (it
 * runs before every post); 0 means "go".
 */
export function windowWaitMs(sorted: readonly number[], limits: WindowLimits, now: number): number {
  return Math.max(windowWait(sorted, MINUTE, limits.perMinute, now), windowWait(sorted, HOUR, limits.perHour, now), windowWait(sorted, DAY, limits.perDay, now));
}

/** How many more sends fit in every sliding window right now (0 = wait). `sorted` as for `windowWaitMs`. */
export function windowCapacity(sorted: readonly number[], limits: WindowLimits, now: number): number {
  const n = sorted.length;
  const cap = Math.min(
    limits.perMinute - (n - firstAfter(sorted, now - MINUTE)),
    limits.perHour - (n - firstAfter(sorted, now - HOUR)),
    limits.perDay - (n - firstAfter(sorted, now - DAY)),
  );
  return Math.max(0, cap);
}

/** Record a send time in an ascending list, dropping the ones older than a day (no window looks further back). */
export function addSendTime(sorted: number[], t: number): void {
  if (sorted.length === 0 || sorted[sorted.length - 1]! <= t) sorted.push(t);
  else sorted.splice(firstAfter(sorted, t), 0, t);
  if (sorted[0]! <= t - DAY) sorted.splice(0, firstAfter(sorted, t - DAY));
}
