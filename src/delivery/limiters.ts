import Bottleneck from 'bottleneck';
import Redis from 'ioredis';
import type { FleetConfig } from '../config/bots.js';

/** Priority in every queue: urgent (0) before normal (5); bottleneck runs lower numbers first. */
export const URGENT_PRIORITY = 0;
export const NORMAL_PRIORITY = 5;

export interface LimiterOptions {
  /** Share the limiters of several worker processes through Redis (`redis://127.0.0.1:6379`). Unset: in-process. */
  redisUrl?: string | undefined;
  /** Prefix of the Redis keys (one per deployment). @defaultValue 'zhimi' */
  prefix?: string;
}

/**
 * The bottleneck limiters of a worker: one per bot (one post at a time; the
 * lane holds it for the bot's gap after each post) and one for the whole fleet
 * (posts per minute). With `redisUrl` they are clustered: every worker process
 * shares the same counters, so the fleet-wide limit holds across workers and a
 * bot's slot stays single even if two workers briefly held it.
 */
export class Limiters {
  private readonly connection: Bottleneck.IORedisConnection | undefined;
  private readonly bots = new Map<string, Bottleneck>();
  readonly fleet: Bottleneck;

  constructor(config: Pick<FleetConfig, 'fleet'>, private readonly o: LimiterOptions = {}) {
    this.connection = o.redisUrl
      ? new Bottleneck.IORedisConnection({ Redis, clientOptions: redisOptions(o.redisUrl) } as Bottleneck.IORedisConnectionOptions)
      : undefined;
    this.fleet = new Bottleneck({
      ...this.shared(`fleet`),
      reservoir: config.fleet.perMinute,
      reservoirRefreshAmount: config.fleet.perMinute,
      reservoirRefreshInterval: 60_000,
    });
  }

  /** The limiter of one bot: one post (or batch of posts) at a time. */
  bot(botId: string): Bottleneck {
    let l = this.bots.get(botId);
    if (!l) {
      l = new Bottleneck({ ...this.shared(`bot:${botId}`), maxConcurrent: 1 });
      this.bots.set(botId, l);
    }
    return l;
  }

  /** Stop taking jobs; wait for running ones. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.bots.values(), this.fleet].map((l) => l.stop({ dropWaitingJobs: false })));
    if (this.connection) await this.connection.disconnect(false).catch(() => undefined);
  }

  private shared(id: string): Bottleneck.ConstructorOptions {
    const prefix = this.o.prefix ?? 'zhimi';
    return this.connection ? { id: `${prefix}:${id}`, datastore: 'ioredis', connection: this.connection, clearDatastore: false, timeout: 3_600_000 } : { id: `${prefix}:${id}` };
  }
}

function redisOptions(url: string): Record<string, unknown> {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379), ...(u.password ? { password: decodeURIComponent(u.password) } : {}), ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}) };
}
