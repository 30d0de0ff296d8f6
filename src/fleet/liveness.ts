/**
 * A puppet service can go silent without an error: a network partition, a
 * NAT that forgot the connection. Its calls then hang (no deadline), and
 * wechaty-puppet-service only resets a connection silent for about 67 s,
 * with a stop and start that hang on the same dead connection. So a bot
 * watches for signs of life itself (any event, a `dong`, an answered call):
 * after `dingAfterMs` of silence it asks (`ding`; a live service answers
 * `dong` at once), after `lostAfterMs` it counts the connection as lost —
 * its posts move to other member bots within the 30 s.
 */
export interface LivenessLimits {
  dingAfterMs: number;
  lostAfterMs: number;
}

export const DEFAULT_LIVENESS: LivenessLimits = { dingAfterMs: 10_000, lostAfterMs: 20_000 };

/** What a bot does about `silentMs` without a sign of life from its puppet service. Pure. */
export function livenessAction(silentMs: number, dinged: boolean, limits: LivenessLimits): 'none' | 'ding' | 'lost' {
  if (silentMs >= limits.lostAfterMs) return 'lost';
  if (silentMs >= limits.dingAfterMs && !dinged) return 'ding';
  return 'none';
}

/** Resolves with the promise, or rejects with `reason()` once `signal` aborts first (the promise is left to itself). */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal, reason: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/** Resolves or rejects as the promise does, or rejects with `reason()` after `ms` (the promise is left to itself). */
export function within<T>(promise: Promise<T>, ms: number, reason: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(reason()), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
