import mongoose, { type Connection } from 'mongoose';
import { StoreError, redactUri } from './errors.js';
import { registerModels, type Models } from './models/index.js';

/** An open database with every model registered and its indexes built. */
export interface Store {
  connection: Connection;
  models: Models;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** How long to look for a server before giving up. @defaultValue 5000 */
  serverSelectionTimeoutMS?: number;
  /** Use this database instead of the one in the URI (tests). */
  dbName?: string;
}

/**
 * Connect through mongoose, register the models and create their indexes.
 * Failures become one-line {@link StoreError}s that name the URI (without
 * its password) and what to check.
 */
export async function connectStore(uri: string, options: ConnectOptions = {}): Promise<Store> {
  const safe = redactUri(uri);
  let connection: Connection;
  try {
    connection = mongoose.createConnection(uri, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
      ...(options.dbName ? { dbName: options.dbName } : {}),
      autoIndex: false,
    });
    await connection.asPromise();
  } catch (err) {
    throw explainConnectError(err, safe);
  }
  const models = registerModels(connection);
  try {
    await Promise.all(Object.values(models).map((m) => m.createIndexes()));
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw explainConnectError(err, safe);
  }
  return { connection, models, close: () => connection.close() };
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
