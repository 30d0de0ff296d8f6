import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import Bottleneck from 'bottleneck';
import Redis from 'ioredis';
import type { FleetConfig } from '../config/bots.js';
import { StoreError } from '../store/errors.js';

/** Priority in every queue: urgent (0) before normal (5); bottleneck runs lower numbers first. */
export const URGENT_PRIORITY = 0;
export const NORMAL_PRIORITY = 5;

export interface LimiterOptions {
  /** Share the limiters of several worker processes through Redis (`redis://127.0.0.1:6379`). Unset: in-process. */
  redisUrl?: string | undefined;
  /** Prefix of the Redis keys (one per deployment). @defaultValue 'zhimi' */
  prefix?: string;
  /** Redis stopped answering (`error` set) or answers again (`error` undefined): told once per change. */
  onRedis?: (state: { error?: string }) => void;
  /**
   * TLS settings for a `rediss://` URL beyond the defaults (the server's name is checked against the URL's
   * host, and its certificate against Node's CAs — add a private CA with NODE_EXTRA_CA_CERTS).
   */
  redisTls?: ConnectionOptions;
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
  /** The fleet-wide limit as posts handed out here, drawn from `fleet` in chunks. */
  readonly fleetPosts: FleetTokens;

  private readonly perMinute: number;
  private fleetShare: number;
  private redisError: string | undefined;

  constructor(config: Pick<FleetConfig, 'fleet'>, private readonly o: LimiterOptions = {}) {
    this.perMinute = this.fleetShare = config.fleet.perMinute;
    this.connection = o.redisUrl
      ? new Bottleneck.IORedisConnection({ Redis, clientOptions: redisOptions(o.redisUrl, o.redisTls) } as Bottleneck.IORedisConnectionOptions)
      : undefined;
    // while Redis does not answer, every limiter waits: say so (once), and when it answers again
    this.connection?.on('error', (err: Error) => {
      if (this.redisError === undefined) o.onRedis?.({ error: err.message || String(err) });
      this.redisError = err.message || String(err);
    });
    (this.connection as unknown as { client?: { on(event: 'ready', fn: () => void): void } } | undefined)?.client?.on('ready', () => {
      if (this.redisError !== undefined) o.onRedis?.({});
      this.redisError = undefined;
    });
    this.fleet = new Bottleneck({
      ...this.shared(`fleet`),
      reservoir: config.fleet.perMinute,
      reservoirRefreshAmount: config.fleet.perMinute,
      reservoirRefreshInterval: 60_000,
    });
    // at least a tenth of the minute's allowance at a time (at most 200): few limiter jobs; drawn ahead only by
    // a worker alone: with several, what one holds in hand the others could not send
    this.fleetPosts = new FleetTokens(this.fleet, Math.max(1, Math.min(200, Math.ceil(config.fleet.perMinute / 10))), config.fleet.perMinute, { ahead: !o.redisUrl });
  }

  /**
   * Without Redis each worker counts the fleet-wide limit alone: when several
   * run, each keeps to its part (`fraction` of the posts a minute, at least 1),
   * so together they stay within it. With Redis the one shared limit holds and
   * this does nothing. Returns the posts a minute this worker may send.
   */
  async setFleetShare(fraction: number): Promise<number> {
    const perMinute = this.perMinute;
    if (this.connection) return perMinute;
    const amount = Math.max(1, Math.min(perMinute, Math.floor(perMinute * fraction)));
    if (amount === this.fleetShare) return amount;
    this.fleetShare = amount;
    this.fleetPosts.limitTo(amount);
    await this.fleet.updateSettings({ reservoirRefreshAmount: amount });
    const left = await this.fleet.currentReservoir();
    if (left !== null && left > amount) await this.fleet.updateSettings({ reservoir: amount });
    return amount;
  }

  /**
   * Resolves once the limiters can be used: at once in-process, when Redis
   * answers with `redisUrl`. Rejects (and closes) after `timeoutMs` with
   * what to check, instead of leaving every lane waiting without a word.
   */
  async ready(timeoutMs = 10_000): Promise<void> {
    if (!this.connection) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const url = redactRedisUrl(this.o.redisUrl!);
        reject(new StoreError('ZHIMI_E_REDIS_UNREACHABLE', `Redis at ${url} (ZHIMI_REDIS_URL) did not answer within ${timeoutMs / 1000} s${this.redisError ? ` (${this.redisError})` : ''}: start it (npm run redis:start), or unset ZHIMI_REDIS_URL when only one worker runs`));
      }, timeoutMs);
    });
    try {
      await Promise.race([this.connection.ready, late]);
    } catch (err) {
      // nothing ran yet: drop the connection (stopping the limiters would wait for Redis too)
      this.fleetPosts.close();
      await this.connection.disconnect(false).catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
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

  /**
   * Free a bot's slot in the shared (Redis) limiter: this worker has just
   * taken the bot's lease over from another one, which may have died holding
   * the slot (it would be kept until the job's expiration, two minutes). The
   * lease says the bot moved: nothing of the old holder may send for it any
   * more. Returns the jobs freed; in-process limiters have nothing to free.
   */
  async releaseBot(botId: string): Promise<number> {
    const client = (this.connection as unknown as { client?: { zrange(key: string, a: number, b: number): Promise<string[]>; zadd(key: string, ...args: (string | number)[]): Promise<unknown> } } | undefined)?.client;
    if (!client) return 0;
    // bottleneck frees a running job once its expiration has passed: backdate every running job of the bot's limiter
    const key = `b_${this.o.prefix ?? 'zhimi'}:bot:${botId}_job_expirations`;
    const jobs = await client.zrange(key, 0, -1);
    if (jobs.length) await client.zadd(key, ...jobs.flatMap((j) => [0, j]));
    // the limiter notices at its next look (a new job, or its heartbeat)
    if (jobs.length) await this.bot(botId).currentReservoir().catch(() => undefined);
    return jobs.length;
  }

  /** Stop taking jobs; wait for running ones. */
  async close(): Promise<void> {
    this.fleetPosts.close();
    // a worker alone may have a draw of fleet posts ahead waiting for the next minute: it serves nobody now
    // (FleetTokens rejected its waiters); with Redis nothing is drawn ahead and every limiter stops as it always did
    const dropAhead = !this.connection;
    await Promise.allSettled([...[...this.bots.values()].map((l) => l.stop({ dropWaitingJobs: false })), this.fleet.stop({ dropWaitingJobs: dropAhead })]);
    if (this.connection) await this.connection.disconnect(false).catch(() => undefined);
  }

  private shared(id: string): Bottleneck.ConstructorOptions {
    const prefix = this.o.prefix ?? 'zhimi';
    return this.connection ? { id: `${prefix}:${id}`, datastore: 'ioredis', connection: this.connection, clearDatastore: false, timeout: 3_600_000 } : { id: `${prefix}:${id}` };
  }
}

/** A Redis URL with its password replaced by ***, safe to print. */
function redactRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

/**
 * ioredis options of a Redis URL: `redis://` in the clear, `rediss://` over
 * TLS (the server's certificate checked, for the URL's host name); an ACL
 * user (`rediss://zhimi:secret@host:6380/0`) logs in as that user, not as
 * `default`; the path is the database number.
 */
export function redisOptions(url: string, tls?: ConnectionOptions): Record<string, unknown> {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`ZHIMI_REDIS_URL must start with redis:// or rediss:// (TLS), got ${u.protocol}//`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { ...(isIP(host) ? {} : { servername: host }), ...tls } } : {}),
  };
}

/**
 * Posts allowed by the fleet-wide limiter, drawn from its reservoir in chunks
 * (one draw for all that wait) and handed out here one batch at a time: a
 * bottleneck job costs several turns of the event loop, and one job per lane
 * batch made a hundred lanes queue behind each other. While posts are taken,
 * a worker alone keeps some in hand (drawn ahead). Urgent requests are
 * served first; tokens not used within the reservoir's minute are dropped, so
 * a worker never carries the allowance of one minute into the next.
 */
export class FleetTokens {
  private left = 0;
  private drawnAt = 0;
  private drawing = false;
  private closed = false;
  /** Posts to keep in hand: a chunk, or what the last draw for waiting lanes took (bursts), up to a tenth of the minute. */
  private hand: number;
  private readonly waiting: { n: number; urgent: boolean; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private readonly ahead: boolean;
  private readonly windowMs: number;
  /** The chunk as configured (a smaller part of the fleet limit lowers it for a while). */
  private readonly baseChunk: number;

  /** `ahead`: keep posts in hand (a worker alone; with several, one would hold back what others could send). */
  constructor(private readonly limiter: Bottleneck, private chunk: number, private perMinute: number, o: { ahead?: boolean; windowMs?: number } = {}) {
    this.hand = chunk;
    this.baseChunk = chunk;
    this.ahead = o.ahead ?? true;
    this.windowMs = o.windowMs ?? 60_000;
  }

  /** Wait until `n` posts may go out fleet-wide. */
  take(n: number, urgent: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w = { n: Math.min(n, this.perMinute), urgent, resolve, reject };
      // urgent ones queue ahead of every normal one
      const at = urgent ? this.waiting.findIndex((x) => !x.urgent) : -1;
      if (at === -1) this.waiting.push(w);
      else this.waiting.splice(at, 0, w);
      this.pump();
    });
  }

  /** Posts a minute this worker may send fleet-wide: no lane batch is bigger. */
  get allowance(): number {
    return this.perMinute;
  }

  /** The limiter now allows only `perMinute` (this worker's part of the fleet limit): never ask it for more at once. */
  limitTo(perMinute: number): void {
    this.perMinute = perMinute;
    this.chunk = Math.min(this.baseChunk, perMinute);
    this.hand = Math.min(this.hand, perMinute);
    this.left = Math.min(this.left, perMinute);
  }

  /** Posts will be taken soon (claimed at planning): draw ahead now unless enough is in hand. */
  prepare(): void {
    this.pump();
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new Error('limiters closed'));
  }

  private pump(): void {
    if (Date.now() - this.drawnAt > this.windowMs) this.left = 0;
    while (this.waiting.length && this.left >= this.waiting[0]!.n) {
      const w = this.waiting.shift()!;
      this.left -= w.n;
      w.resolve();
    }
    if (this.drawing || this.closed) return;
    // while posts are taken, half of what lanes took at once lately is kept in hand (drawn ahead, unless `ahead`
    // is off): lanes that end their batches find their posts here instead of waiting for a limiter job (20-60 ms
    // with a hundred busy lanes)
    if (!this.waiting.length && (!this.ahead || this.left >= this.hand / 2)) return;
    this.drawing = true;
    const first = this.waiting[0];
    // one draw for everything waiting (lanes that finish a batch together would otherwise queue one draw each),
    // unless that is more than a tenth of the minute: then for the first in line, so a tight limit never holds
    // everyone back for a draw that cannot be met yet
    const all = this.waiting.reduce((sum, w) => sum + w.n, 0) - this.left;
    const need = !first ? this.hand - this.left : all <= this.perMinute / 10 ? all : first.n - this.left;
    const weight = Math.min(this.perMinute, Math.max(need, this.chunk));
    if (first) this.hand = Math.max(this.chunk, Math.min(weight, this.perMinute / 10));
    this.limiter
      .schedule({ priority: first?.urgent ? URGENT_PRIORITY : NORMAL_PRIORITY, weight }, async () => undefined)
      .then(
        () => {
          if (Date.now() - this.drawnAt > this.windowMs) this.left = 0;
          this.left += weight;
          this.drawnAt = Date.now();
        },
        (err: unknown) => {
          for (const w of this.waiting.splice(0)) w.reject(err);
        },
      )
      .finally(() => {
        this.drawing = false;
        this.pump();
      });
  }
}
