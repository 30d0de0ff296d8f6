import type { WorkerRecord } from '../store/workers-repo.js';

/**
 * How the workers share the bots out. Each live worker runs about as many
 * bots as the others: at most `ceil(bots / workers)`. A worker takes free bots
 * up to that share, hands its surplus over only when another worker has room
 * for it and has not failed to start that bot lately, and takes any bot that
 * nobody took for a while (a worker that cannot run it must not leave it idle).
 * Pure: the worker reads presences and leases and carries the plan out.
 */

/** A live worker as the others see it (its presence document). */
export type WorkerPresence = WorkerRecord;

export interface ShareInput {
  self: string;
  /** Enabled bots, in config order. */
  bots: readonly string[];
  /** Live workers, this one included. */
  workers: readonly WorkerPresence[];
  /** Bots this worker runs now. */
  held: readonly string[];
  /** Of those, the ones whose start is done (only those can be handed over). */
  running: readonly string[];
  /** Bots no live lease holds. */
  free: readonly string[];
  /** Free bots nobody took for a while: taken whatever the share. */
  neglected: ReadonlySet<string>;
  /** Bots this worker should not take now (failed to start here lately, handed over just now) unless nobody else does. */
  avoid: ReadonlySet<string>;
  /** Posts waiting for a bot here: the least busy bots are handed over first. */
  queued: (botId: string) => number;
}

export interface SharePlan {
  /** The most bots any worker should run now. */
  share: number;
  /** Free bots to take, in order. */
  take: string[];
  /** Bots to hand over to workers with room. */
  release: string[];
}

export function shareBots(i: ShareInput): SharePlan {
  const share = Math.ceil(i.bots.length / Math.max(1, i.workers.length));
  const room = Math.max(0, share - i.held.length);
  const failsAt = (w: WorkerPresence | undefined, b: string): boolean => !!w?.failing.includes(b);
  const self = i.workers.find((w) => w.workerId === i.self);
  // a neglected bot is taken by a worker that can start it; by one that failed it only if every other one failed it too
  const rescue = (b: string): boolean => i.neglected.has(b) && (!failsAt(self, b) || i.workers.every((w) => w === self || failsAt(w, b)));
  const wanted = i.free.filter((b) => !i.avoid.has(b));
  const take = [...new Set([...wanted.slice(0, room), ...i.free.filter(rescue)])];
  // hand over no more than other workers have room for, and only bots one of them can start
  const others = i.workers.filter((w) => w !== self && w.held < share);
  const otherRoom = others.reduce((n, w) => n + share - w.held, 0);
  const surplus = Math.min(i.held.length - share, otherRoom);
  const release =
    surplus > 0
      ? i.running
          .filter((b) => others.some((w) => !failsAt(w, b)))
          .map((b, order) => ({ b, order, queued: i.queued(b) }))
          .sort((x, y) => x.queued - y.queued || y.order - x.order)
          .slice(0, surplus)
          .map((x) => x.b)
      : [];
  return { share, take, release };
}
