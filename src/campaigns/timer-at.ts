import type { Clock } from '../config/clock.js';

/** The longest delay `setTimeout` keeps (about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Call `onDue` once at `at` (at once when it has passed), however far ahead:
 * a wait longer than `setTimeout` can hold is taken in steps, each step
 * measured again on the clock. Does not keep the process alive.
 */
export function timerAt(at: Date, clock: Clock, onDue: () => void, maxStepMs = MAX_TIMER_MS): { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const wait = at.getTime() - clock.now().getTime();
    timer = wait > maxStepMs ? setTimeout(arm, maxStepMs) : setTimeout(onDue, Math.max(0, wait));
    timer.unref();
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}
