import type { BotLimits } from '../config/bots.js';

/**
 * How long a bot must wait before its next send so that no sliding minute,
 * hour or day holds more sends than its limits allow. `recent` are the bot's
 * send times (ms), any order. Pure; 0 means "go".
 */
export function windowWaitMs(recent: readonly number[], limits: Pick<BotLimits, 'perMinute' | 'perHour' | 'perDay'>, now: number): number {
  let wait = 0;
  for (const [span, cap] of [
    [60_000, limits.perMinute],
    [3_600_000, limits.perHour],
    [86_400_000, limits.perDay],
  ] as const) {
    const inside = recent.filter((t) => t > now - span).sort((a, b) => a - b);
    if (inside.length >= cap) {
      // the oldest send that must leave the window before one more fits
      const release = inside[inside.length - cap]! + span - now;
      wait = Math.max(wait, release + 1);
    }
  }
  return wait;
}

/** How many more sends fit in every sliding window right now (0 = wait). */
export function windowCapacity(recent: readonly number[], limits: Pick<BotLimits, 'perMinute' | 'perHour' | 'perDay'>, now: number): number {
  let cap = Infinity;
  for (const [span, limit] of [
    [60_000, limits.perMinute],
    [3_600_000, limits.perHour],
    [86_400_000, limits.perDay],
  ] as const) {
    cap = Math.min(cap, limit - recent.filter((t) => t > now - span).length);
  }
  return Math.max(0, cap);
}
