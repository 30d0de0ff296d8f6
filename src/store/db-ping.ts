import mongoose, { type Connection } from 'mongoose';
import type { Store } from './connection.js';

/**
 * Is this error the database being out of reach (down, paused, restarting,
 * a network between), rather than something wrong with the request? Such a
 * failure is retried once the database answers again, and said once, not
 * by every caller that met it.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { name?: string; message?: string; code?: string };
    if (/^Mongo(ServerSelection|Network|NetworkTimeout|TopologyClosed|NotConnected|PoolCleared|ServerClosed)Error$/.test(x.name ?? '')) return true;
    if (x.name === 'PoolClearedError' || x.name === 'PoolClearedOnNetworkError') return true;
    if (x.code === 'ECONNREFUSED' || x.code === 'ECONNRESET' || x.code === 'EPIPE' || x.code === 'ETIMEDOUT') return true;
    // (a bulk write's error carries the network failure in its message only: "connect ECONNREFUSED 127.0.0.1:27017",
    // "Connection to 127.0.0.1:27017 interrupted due to server monitor timeout")
    if (/interrupted due to server monitor timeout|buffering timed out|connection .* closed|connection .* timed out|selection timed out|Client must be connected|Topology is closed|pool .*cleared|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|ZHIMI_E_DB_UNREACHABLE/i.test(x.message ?? '')) return true;
  }
  return false;
}

/**
 * A ping that got no answer in time: the database may be paused or gone, or
 * only slow (a loaded machine); unlike a refused connection it proves nothing
 * on its own.
 */
export class PingTimeoutError extends Error {
  override readonly name = 'PingTimeoutError';
  constructor(timeoutMs: number) {
    super(`the database did not answer a ping within ${timeoutMs} ms`);
  }
}

/**
 * A ping that got no answer (ours timed out, or the driver's own connect or
 * selection timeout came first), as against a refused or reset connection,
 * which says at once that the database is not there.
 */
export function isUnansweredPing(err: unknown): boolean {
  if (err instanceof PingTimeoutError) return true;
  const e = err as { name?: string; message?: string };
  const message = e.message ?? '';
  if (/ECONNREFUSED|ECONNRESET|EPIPE|closed/i.test(message)) return false;
  return e.name === 'MongoNetworkTimeoutError' || /timed out|monitor timeout/i.test(message);
}

/** A ping of the database on a connection of its own (the store's may be busy or stuck behind a paused server). */
export interface DatabasePing {
  /** Resolves when the database answers `ping` within `timeoutMs`; rejects otherwise. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Ping the store's database over a second, tiny connection. On FerretDB a
 * process's operations share one connection and queue behind each other, so
 * a ping there would wait behind a slow query and call a busy database
 * unreachable; its own connection answers at once, and times out when the
 * server is stopped, paused or gone.
 */
export function openDatabasePing(store: Pick<Store, 'uri' | 'connection'>): DatabasePing {
  let conn: Connection | undefined;
  const connect = (timeoutMs: number): Connection =>
    (conn ??= mongoose.createConnection(store.uri, {
      dbName: store.connection.name,
      maxPoolSize: 1,
      serverSelectionTimeoutMS: timeoutMs,
      connectTimeoutMS: timeoutMs,
      socketTimeoutMS: 2 * timeoutMs,
      heartbeatFrequencyMS: 2000,
      autoIndex: false,
      bufferCommands: false,
    }));
  return {
    async ping(timeoutMs) {
      const c = connect(timeoutMs);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.asPromise().then((ready) => ready.db!.admin().command({ ping: 1 })),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new PingTimeoutError(timeoutMs)), timeoutMs))),
        ]);
      } catch (err) {
        // a connection that failed to open is not retried by mongoose: open a fresh one next time
        if (c.readyState !== mongoose.ConnectionStates.connected) {
          conn = undefined;
          void c.close(true).catch(() => undefined);
        }
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await conn?.close(true).catch(() => undefined);
      conn = undefined;
    },
  };
}
