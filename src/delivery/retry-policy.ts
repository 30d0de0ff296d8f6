import { NotInGroupError } from '../channels/wechaty/errors.js';

/** What a failed send means for what we do next. */
export type SendFailure = 'throttled' | 'not-in-group' | 'timeout' | 'transient' | 'permanent';

const THROTTLE_SIGNS = [/发送消息过于频繁/, /操作过于频繁/, /too (many|frequent)/i, /rate.?limit/i, /throttl/i, /频繁/];
/** A timeout leaves it open whether the message went out: never resend it. */
const TIMEOUT_SIGNS = [/timeout|timed out|ETIMEDOUT|DEADLINE_EXCEEDED/i];
/** The send certainly did not happen: safe to retry. */
const TRANSIENT_SIGNS = [/UNAVAILABLE|ECONNREFUSED/i, /not logged in|logged ?out|no login/i];

/** The one place that decides retry-or-give-up for a send error. */
export function classifySendError(err: unknown): SendFailure {
  if (err instanceof NotInGroupError) return 'not-in-group';
  const msg = (err as Error)?.message ?? String(err);
  if (THROTTLE_SIGNS.some((re) => re.test(msg))) return 'throttled';
  if (TIMEOUT_SIGNS.some((re) => re.test(msg))) return 'timeout';
  if (TRANSIENT_SIGNS.some((re) => re.test(msg))) return 'transient';
  return 'permanent';
}

/** Options of the retry and back-off policy, with defaults. */
export interface SendPolicy {
  /** Attempts before a transient error becomes `failed`. @defaultValue 3 */
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

/** A bot's back-off: its gap is multiplied by `factor`; no sends before `cooldownUntil`. */
export interface BackoffState {
  factor: number;
  cooldownUntil: number;
  cleanSends: number;
  timeoutsInARow: number;
}

export const CALM: BackoffState = { factor: 1, cooldownUntil: 0, cleanSends: 0, timeoutsInARow: 0 };

/**
 * Next back-off state after a send. Throttling doubles the gap and pauses the
 * bot; clean sends bring the factor back down step by step. Pure.
 */
export function nextBackoff(s: BackoffState, outcome: 'ok' | SendFailure, isTimeout: boolean, now: number, p: SendPolicy): BackoffState {
  if (outcome === 'ok') {
    const clean = s.cleanSends + 1;
    if (s.factor > 1 && clean >= p.recoverAfter) return { factor: Math.max(1, s.factor / 2), cooldownUntil: s.cooldownUntil, cleanSends: 0, timeoutsInARow: 0 };
    return { ...s, cleanSends: clean, timeoutsInARow: 0 };
  }
  const timeouts = isTimeout ? s.timeoutsInARow + 1 : 0;
  if (outcome === 'throttled' || timeouts >= p.timeoutsAsThrottle) {
    const factor = Math.min(p.maxFactor, s.factor * 2);
    return { factor, cooldownUntil: now + p.cooldownMs * factor, cleanSends: 0, timeoutsInARow: 0 };
  }
  return { ...s, cleanSends: 0, timeoutsInARow: timeouts };
}

/** Delay before retry number `attempt` (1-based) of a transient failure. */
export function retryDelayMs(attempt: number, p: SendPolicy): number {
  return p.retryBaseMs * 2 ** Math.max(0, attempt - 1);
}
