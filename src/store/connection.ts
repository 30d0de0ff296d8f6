import mongoose, { type Connection, type Model } from 'mongoose';
import { StoreError, redactUri } from './errors.js';
import { allModels, registerModels, type Models } from './models/index.js';

/** An open database with every model registered and its indexes built. */
export interface Store {
  connection: Connection;
  models: Models;
  /** Which server answers: FerretDB gets one connection per process (see below). */
  server: { kind: 'mongodb' | 'ferretdb'; version: string };
  /** The URI it was opened with (a second connection to the same database: see store/db-ping.ts). */
  uri: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** How long to look for a server before giving up. @defaultValue 5000 */
  serverSelectionTimeoutMS?: number;
  /** Use this database instead of the one in the URI (tests). */
  dbName?: string;
}

/**
 * Every read asks for its whole answer in one batch (the server still splits
 * one over 16 MB). FerretDB v1 (SQLite) keeps a cursor open for each read
 * whose answer takes more than one batch (over 101 documents by default), and
 * with more than 100 of them open it answers nothing more: 101 reads at once
 * of a 300-document collection never returned, 100 took 1.1 s. A worker
 * whose 200 bots logged in together made 133 such reads of the fleet's
 * accounts and hung. MongoDB answers either way.
 */
const ONE_BATCH = 100_000;
mongoose.plugin((schema) => {
  schema.pre('find', function () {
    if (this.getOptions().batchSize === undefined) this.batchSize(ONE_BATCH);
  });
});

/**
 * Connect through mongoose, register the models and create their indexes.
 * Failures become one-line {@link StoreError}s that name the URI (without
 * its password) and what to check.
 */
export async function connectStore(uri: string, options: ConnectOptions = {}): Promise<Store> {
  const safe = redactUri(uri);
  let connection = await open(uri, safe, options);
  let server: Store['server'];
  try {
    const info = (await connection.db!.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
    server = info.ferretdbVersion ? { kind: 'ferretdb', version: info.ferretdbVersion } : { kind: 'mongodb', version: info.version ?? 'unknown' };
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw explainConnectError(err, safe);
  }
  if (server.kind === 'ferretdb') {
    // FerretDB v1 applies concurrent updates of one document as
    // read-modify-write and loses some of them; over a single connection the
    // process's operations run one after another and nothing is lost.
    await connection.close();
    connection = await open(uri, safe, { ...options, maxPoolSize: 1 });
  }
  const models = registerModels(connection);
  try {
    await ensureIndexes({ models, server });
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw explainConnectError(err, safe);
  }
  return { connection, models, server, uri, close: () => connection.close() };
}

/**
 * A second connection to the store's database, with the same models (no
 * indexes built: the store did). On FerretDB a process's operations on one
 * connection run one after another, so a worker's lease renewals would wait
 * behind a sweep that reads a big outbox for seconds and could lapse; they
 * go through a connection of their own. Each collection keeps one writer per
 * document in the process (leases and presences here, counters in the
 * recorder's), so nothing FerretDB applies as read-modify-write is raced.
 */
export async function openSideConnection(store: Pick<Store, 'uri' | 'connection' | 'server'>): Promise<Store> {
  const safe = redactUri(store.uri);
  const connection = await open(store.uri, safe, { dbName: store.connection.name, ...(store.server.kind === 'ferretdb' ? { maxPoolSize: 1 } : {}) });
  return { connection, models: registerModels(connection), server: store.server, uri: store.uri, close: () => connection.close() };
}

async function open(uri: string, safe: string, options: ConnectOptions & { maxPoolSize?: number }): Promise<Connection> {
  try {
    const connection = mongoose.createConnection(uri, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
      ...(options.dbName ? { dbName: options.dbName } : {}),
      ...(options.maxPoolSize ? { maxPoolSize: options.maxPoolSize } : {}),
      autoIndex: false,
    });
    await connection.asPromise();
    return connection;
  } catch (err) {
    throw explainConnectError(err, safe);
  }
}

/** Map a driver error to what the operator should check. */
export function explainConnectError(err: unknown, safeUri: string): StoreError {
  const e = err as { name?: string; message?: string; code?: number };
  const msg = e.message ?? String(err);
  if (e.name === 'MongoParseError' || /Invalid scheme|Invalid connection string|URI must include/i.test(msg)) {
    return new StoreError('ZHIMI_E_DB_URI', `MONGODB_URI "${safeUri}" is not a valid MongoDB URI (${msg}): it must look like mongodb://user:password@host:27017/zhimi`, { cause: err });
  }
  if (e.code === 18 || /Authentication failed|auth.*fail/i.test(msg)) {
    return new StoreError('ZHIMI_E_DB_AUTH', `authentication failed at ${safeUri}: check the user name, password and authSource in MONGODB_URI`, { cause: err });
  }
  if (e.name === 'MongoServerSelectionError' || /ECONNREFUSED|ENOTFOUND|timed out|Server selection/i.test(msg)) {
    return new StoreError('ZHIMI_E_DB_UNREACHABLE', `cannot reach the database at ${safeUri} (${firstLine(msg)}): check that the server runs and MONGODB_URI's host and port, or unset MONGODB_URI to use the development database`, { cause: err });
  }
  return new StoreError('ZHIMI_E_DB_UNREACHABLE', `database error at ${safeUri}: ${firstLine(msg)}`, { cause: err });
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/**
 * Create the models' indexes (at connect, and after a database or collection
 * was dropped). On FerretDB v1 (SQLite) only the unique ones: its queries use
 * no secondary index (only an exact `{_id}` filter is pushed down), while
 * every index makes each insert slower (measured: delivery events 34,000/s
 * without their five indexes, 17,000/s with them). Unique indexes are rules,
 * not speed, and are always created.
 */
export async function ensureIndexes(store: Pick<Store, 'models' | 'server'>, only?: readonly Model<unknown>[]): Promise<void> {
  const models = only ?? allModels(store.models);
  if (store.server.kind === 'mongodb') {
    await Promise.all(models.map((m) => m.createIndexes()));
    return;
  }
  for (const m of models) {
    for (const [fields, options] of m.schema.indexes()) {
      if (options?.unique) await m.collection.createIndex(fields as Record<string, 1 | -1>, options as Record<string, unknown>);
    }
  }
}
