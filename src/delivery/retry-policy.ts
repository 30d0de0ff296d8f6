import type { SendFailureKind } from './channel-port.js';

/**
 * The one place that decides what a failed send means: try again (when),
 * wait out the platform, follow the registry, or give up (as `failed`, or as
 * `unknown` when it may have been posted); and how the bot backs off. Pure:
 * the caller passes the failure, the delivery's failures so far and the time.
 */

/** Options of the retry and back-off policy, with defaults. */
export interface SendPolicy {
  /** Attempts before a failure that certainly did not post becomes `failed`. @defaultValue 3 */
  maxAttempts: number;
  /** First retry delay, doubled per attempt. @defaultValue 5000 */
  retryBaseMs: number;
  /** Pause after a throttling sign, times the back-off factor. @defaultValue 60000 */
  cooldownMs: number;
  /** Largest gap multiplier. @defaultValue 8 */
  maxFactor: number;
  /** Clean sends before the factor halves again. @defaultValue 10 */
  recoverAfter: number;
  /** Timeouts in a row that count as a throttling sign. @defaultValue 3 */
  timeoutsAsThrottle: number;
}

export const DEFAULT_SEND_POLICY: SendPolicy = { maxAttempts: 3, retryBaseMs: 5000, cooldownMs: 60_000, maxFactor: 8, recoverAfter: 10, timeoutsAsThrottle: 3 };

/** What becomes of a post whose send failed. */
export type RetryDecision =
  /** Back to the queue, due at `at`; `failed` counts against the retry budget. */
  | { kind: 'retry'; at: number; failed: boolean }
  /** The bot is not in the group: bring the registry up to date and follow it. */
  | { kind: 'follow-registry' }
  /** Done: `failed`, or `unknown` when it may have been posted (never resent). */
  | { kind: 'give-up'; status: 'failed' | 'unknown' };

/**
 * Decide after a failed send. `failures`: failed sends of the delivery before
 * this one; `cooldownUntil`: the bot's pause after this failure (see nextBackoff).
 */
export function decideRetry(kind: SendFailureKind, failures: number, now: number, cooldownUntil: number, p: SendPolicy): RetryDecision {
  switch (kind) {
    // maybe posted: never resend (a duplicate warning is worse than a missing one)
    case 'maybe-posted':
      return { kind: 'give-up', status: 'unknown' };
    // the bot went offline (logged out, banned, its service gone): not the post's failure; it waits, or the sweep moves it
    case 'logged-out':
      return { kind: 'retry', at: now, failed: false };
    case 'gone-from-group':
      return { kind: 'follow-registry' };
    case 'throttled':
      return { kind: 'retry', at: Math.max(now, cooldownUntil), failed: false };
    case 'not-posted':
      return failures + 1 < p.maxAttempts ? { kind: 'retry', at: now + retryDelayMs(failures + 1, p), failed: true } : { kind: 'give-up', status: 'failed' };
    case 'refused':
      return { kind: 'give-up', status: 'failed' };
  }
}

/** A bot's back-off: its gap is multiplied by `factor`; no sends before `cooldownUntil`. */
export interface BackoffState {
  factor: number;
  cooldownUntil: number;
  cleanSends: number;
  timeoutsInARow: number;
}

export const CALM: BackoffState = { factor: 1, cooldownUntil: 0, cleanSends: 0, timeoutsInARow: 0 };

/**
 * Next back-off state after a send (`ok`, or how it failed). Throttling — a
 * throttled answer, or several timeouts in a row — doubles the gap and
 * pauses the bot (for the platform's `retryAfterMs` when it said so); clean
 * sends bring the factor back down step by step.
 */
export function nextBackoff(s: BackoffState, outcome: 'ok' | SendFailureKind, now: number, p: SendPolicy, retryAfterMs?: number): BackoffState {
  if (outcome === 'ok') {
    const clean = s.cleanSends + 1;
    if (s.factor > 1 && clean >= p.recoverAfter) return { factor: Math.max(1, s.factor / 2), cooldownUntil: s.cooldownUntil, cleanSends: 0, timeoutsInARow: 0 };
    return { ...s, cleanSends: clean, timeoutsInARow: 0 };
  }
  const timeouts = outcome === 'maybe-posted' ? s.timeoutsInARow + 1 : 0;
  if (outcome === 'throttled' || timeouts >= p.timeoutsAsThrottle) {
    const factor = Math.min(p.maxFactor, s.factor * 2);
    return { factor, cooldownUntil: now + Math.max(p.cooldownMs * factor, retryAfterMs ?? 0), cleanSends: 0, timeoutsInARow: 0 };
  }
  return { ...s, cleanSends: 0, timeoutsInARow: timeouts };
}

/** Delay before retry number `attempt` (1-based) of a send that certainly did not post. */
export function retryDelayMs(attempt: number, p: SendPolicy): number {
  return p.retryBaseMs * 2 ** Math.max(0, attempt - 1);
}
