import { EventEmitter } from 'node:events';
import type { Clock } from '../config/clock.js';
import type { Logger } from '../log/logger.js';
import { StoreError } from '../store/errors.js';
import { isDatabaseUnreachable, isUnansweredPing, type DatabasePing } from '../store/db-ping.js';

/** Options of a {@link DatabaseWatch}; every field but the seams has a default. */
export interface DatabaseWatchOptions {
  ping: Pick<DatabasePing, 'ping'>;
  log: Logger;
  clock: Clock;
  /** How often the database is pinged. @defaultValue 1000 */
  everyMs?: number;
  /** A ping unanswered this long counts as a failure. @defaultValue 2000 */
  timeoutMs?: number;
  /**
   * Pings that only go unanswered (no refusal, no network error) say the
   * database is out of reach once it has not answered for this long: a
   * loaded machine may leave one ping unanswered for seconds. @defaultValue 5000
   */
  silentMs?: number;
  /** Unreachable this long without a break: the worker gives up (`onLost`) so its supervisor restarts it. @defaultValue 300000 */
  exitAfterMs?: number;
  /** While unreachable, one summary line this often. @defaultValue 60000 */
  summaryEveryMs?: number;
  /** Called once when the database stayed unreachable for `exitAfterMs`. */
  onLost(err: StoreError): void;
}

export interface DatabaseWatchEvents {
  down: [];
  up: [];
}

export const DATABASE_WATCH_DEFAULTS: Required<Pick<DatabaseWatchOptions, 'everyMs' | 'timeoutMs' | 'silentMs' | 'exitAfterMs' | 'summaryEveryMs'>> = { everyMs: 1000, timeoutMs: 2000, silentMs: 5000, exitAfterMs: 300_000, summaryEveryMs: 60_000 };

/**
 * Watches whether the worker's database answers, and says so once: one
 * "database unreachable" when an outage starts (at once when a ping is
 * refused, after 5 s of pings unanswered; not after the driver's 30 s), one
 * summary a minute while it lasts, one "database back" with the writes that
 * waited when it ends — instead of an error from every lane, sweep and flush
 * that meets it. Whoever meets a failure asks `noteFailure(err)`: true means
 * it was the database being out of reach (already said here; keep the write
 * and retry once it is back).
 * An outage longer than `exitAfterMs` ends the worker through `onLost`, with
 * what to check: a supervisor restarts it, instead of a worker that retries
 * an old address forever.
 */
export class DatabaseWatch extends EventEmitter<DatabaseWatchEvents> {
  private down: { since: number; lastSummary: number; cause: string } | undefined;
  private upSince: number;
  /** When the database last answered a ping (ms on the clock). */
  private answeredAt: number;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private lost = false;
  /** Writes that failed for want of the database and wait to be written again. */
  private waitingWrites = 0;
  /** Of those, written since the database came back. */
  private retriedWrites = 0;
  private readonly o: DatabaseWatchOptions & typeof DATABASE_WATCH_DEFAULTS;

  constructor(options: DatabaseWatchOptions) {
    super();
    this.o = { ...DATABASE_WATCH_DEFAULTS, ...options };
    this.upSince = this.answeredAt = this.o.clock.now().getTime();
  }

  start(): void {
    // the silence a ping may keep is counted from here: a slow start is not an outage
    if (!this.timer) this.answeredAt = this.o.clock.now().getTime();
    this.timer ??= setInterval(() => void this.check(), this.o.everyMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Does the database answer (as far as the last ping and the last failure tell)? */
  get reachable(): boolean {
    return this.down === undefined;
  }

  /** Since when it has answered without a break (ms on the clock); undefined while it does not. */
  get reachableSince(): number | undefined {
    return this.down ? undefined : this.upSince;
  }

  /** Resolves once the database answers (at once when it does). */
  whenReachable(): Promise<void> {
    if (this.reachable) return Promise.resolve();
    return new Promise((resolve) => this.once('up', () => resolve()));
  }

  /**
   * An operation failed: true when the database was out of reach (the watch
   * says so; the caller keeps its write for later and logs nothing itself),
   * false for any other failure (the caller's to report).
   */
  noteFailure(err: unknown): boolean {
    if (!isDatabaseUnreachable(err)) return false;
    this.markDown(err);
    return true;
  }

  /**
   * A logger for a part that does not ask this watch (the campaign scheduler
   * retries its own reads every second): a warning or error whose `err` is
   * the database out of reach is this watch's to say, once, not one line per
   * try; anything else passes through. Its children are quieted the same way.
   */
  quiet(log: Logger): Logger {
    return new Proxy(log, {
      get: (target, prop, receiver) => {
        if (prop === 'child') return (...args: unknown[]) => this.quiet((target.child as unknown as (...a: unknown[]) => Logger).apply(target, args));
        if (prop !== 'warn' && prop !== 'error') return Reflect.get(target, prop, receiver) as unknown;
        const say = target[prop].bind(target) as (...a: unknown[]) => void;
        return (obj: unknown, ...rest: unknown[]): void => {
          if (obj && typeof obj === 'object' && 'err' in obj && this.noteFailure((obj as { err: unknown }).err)) return;
          say(obj, ...rest);
        };
      },
    });
  }

  /** `n` writes wait for the database (negative: they were given up). */
  noteWaiting(n: number): void {
    this.waitingWrites = Math.max(0, this.waitingWrites + n);
  }

  /** `n` writes that had waited are written now. */
  noteRetried(n: number): void {
    this.waitingWrites = Math.max(0, this.waitingWrites - n);
    this.retriedWrites += n;
    if (this.reachable && this.waitingWrites === 0 && this.retriedWrites > 0) {
      this.o.log.info({ retriedWrites: this.retriedWrites }, `every write that waited for the database is written (${this.retriedWrites})`);
      this.retriedWrites = 0;
    }
  }

  /** One ping (the timer calls it; tests call it with a fake clock). */
  check(): Promise<void> {
    this.checking ??= this.o.ping
      .ping(this.o.timeoutMs)
      .then(
        () => {
          this.answeredAt = this.o.clock.now().getTime();
          this.markUp();
        },
        (err: unknown) => {
          // unanswered only: down once the silence has lasted (a refusal or a network error is down at once)
          if (isUnansweredPing(err) && this.o.clock.now().getTime() - this.answeredAt < this.o.silentMs) return;
          this.markDown(err);
        },
      )
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  private markDown(err: unknown): void {
    const now = this.o.clock.now().getTime();
    const cause = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    if (!this.down) {
      this.down = { since: now, lastSummary: now, cause };
      this.o.log.error(
        { err, exitAfterSec: Math.round(this.o.exitAfterMs / 1000) },
        `database unreachable: sending and counting wait for it, writes are kept and retried when it is back; this worker exits if it stays unreachable for ${Math.round(this.o.exitAfterMs / 1000)} s`,
      );
      this.emit('down');
      return;
    }
    this.down.cause = cause;
    const downMs = now - this.down.since;
    if (downMs >= this.o.exitAfterMs) {
      if (this.lost) return;
      this.lost = true;
      this.close();
      const message = `the database has been unreachable for ${Math.round(downMs / 1000)} s (${cause}): check that it runs (\`zhimi db start\` for the development database) and that MONGODB_URI points at it; this worker exits so that its supervisor restarts it`;
      this.o.log.error({ downForSec: Math.round(downMs / 1000), waitingWrites: this.waitingWrites }, message);
      this.o.onLost(new StoreError('ZHIMI_E_DB_UNREACHABLE', message, { cause: err }));
      return;
    }
    if (now - this.down.lastSummary >= this.o.summaryEveryMs) {
      this.down.lastSummary = now;
      this.o.log.warn({ downForSec: Math.round(downMs / 1000), waitingWrites: this.waitingWrites, cause }, 'database still unreachable');
    }
  }

  private markUp(): void {
    if (!this.down) return;
    const now = this.o.clock.now().getTime();
    this.o.log.info({ downForSec: Math.round((now - this.down.since) / 1000), waitingWrites: this.waitingWrites }, `database back after ${Math.round((now - this.down.since) / 1000)} s; the ${this.waitingWrites} writes that waited are written now`);
    this.down = undefined;
    this.upSince = now;
    this.emit('up');
  }
}
