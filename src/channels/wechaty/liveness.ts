import type { BotConfig } from '../../config/bots.js';

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

/**
 * How long a bot's puppet service may stay silent: `override`, else
 * `puppet.liveness` in its YAML, else the defaults; undefined: not watched
 * (`off`, or a puppet other than `wechaty-puppet-service`, whose server
 * answers every `ding`). Pure.
 */
export function livenessOf(bot: Pick<BotConfig, 'puppet'>, override?: LivenessLimits): LivenessLimits | undefined {
  if (bot.puppet.name !== 'wechaty-puppet-service') return undefined;
  if (override) return override;
  const l = bot.puppet.liveness;
  if (l === 'off') return undefined;
  return l ? { dingAfterMs: l.dingAfterSeconds * 1000, lostAfterMs: l.lostAfterSeconds * 1000 } : DEFAULT_LIVENESS;
}

/** What a bot does about `silentMs` without a sign of life from its puppet service. Pure. */
export function livenessAction(silentMs: number, dinged: boolean, limits: LivenessLimits): 'none' | 'ding' | 'lost' {
  if (silentMs >= limits.lostAfterMs) return 'lost';
  if (silentMs >= limits.dingAfterMs && !dinged) return 'ding';
  return 'none';
}

/**
 * The calls under way on one bot's connection, so they can be ended when the
 * connection is given up (on a silent one they would wait for ever). Cheap on
 * the send path: one promise and a set entry per call.
 */
export class CallsUnderWay {
  private readonly ends = new Set<() => void>();

  /** Resolves or rejects as `call` does, or rejects with `reason()` when `endAll` comes first (`call` is left to itself). */
  guard<T>(call: Promise<T>, reason: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const end = (): void => reject(reason());
      this.ends.add(end);
      call.then(
        (v) => (this.ends.delete(end), resolve(v)),
        (e: unknown) => (this.ends.delete(end), reject(e)),
      );
    });
  }

  /** The connection is given up: every call under way ends now. */
  endAll(): void {
    const ends = [...this.ends];
    this.ends.clear();
    for (const end of ends) end();
  }
}

/** Resolves or rejects as the promise does, or rejects with `reason()` after `ms` (the promise is left to itself). */
export function within<T>(promise: Promise<T>, ms: number, reason: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(reason()), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
