/**
 * Waiting until a point on the monotonic clock (`performance.now()`), to a
 * fraction of a millisecond: the gap between two messages of a bot (its lane's
 * posts, its turn for every message) is real time,
 * and over a bot's many posts every millisecond a wait overshoots adds up.
 *
 * Timers count whole milliseconds, so a wait sets its timer for the whole
 * milliseconds left, and the fraction that remains when it fires (if any) is
 * waited out turn by turn of the event loop (other work runs meanwhile). That
 * last stretch is shared: one check per turn serves every wait in it. A loop
 * of its own per wait (a promise and an immediate per turn each), started
 * 3 ms early, made a hundred lanes allocate some 200 MB a second, and the
 * garbage collections that followed stalled every lane at once.
 */

interface Waiter {
  at: number;
  resolve: () => void;
}

/** The waits in their last stretch (a handful: one per lane at most). */
const stretch: Waiter[] = [];
let turning = false;

/** One turn of the event loop: wake whoever is due, and come back next turn while anyone waits. */
function turn(): void {
  const now = performance.now();
  for (let i = stretch.length - 1; i >= 0; i--) {
    const w = stretch[i]!;
    if (w.at > now) continue;
    stretch[i] = stretch[stretch.length - 1]!;
    stretch.pop();
    w.resolve();
  }
  if (stretch.length > 0) setImmediate(turn);
  else turning = false;
}

function inLastStretch(at: number): Promise<void> {
  return new Promise((resolve) => {
    stretch.push({ at, resolve });
    if (!turning) {
      turning = true;
      setImmediate(turn);
    }
  });
}

/** Resolve after `ms` (a timer), or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Resolve at `at` on the monotonic clock, or soon after `signal` aborts (at
 * once while the timer runs, within a millisecond after).
 */
export async function waitUntil(at: number, signal?: AbortSignal): Promise<void> {
  const left = at - performance.now();
  if (left >= 1) await sleep(Math.floor(left), signal);
  if (signal?.aborted || performance.now() >= at) return;
  await inLastStretch(at);
}
