import type { Logger } from '../log/logger.js';
import { connectStore, type Store } from './connection.js';
import { findRunningDevDatabase, startDevDatabase, type DevDatabase } from './dev-db.js';

export interface OpenDatabaseOptions {
  /** MONGODB_URI; unset → the development FerretDB. */
  mongoUri: string | undefined;
  stateDir: string;
  log: Logger;
  /** Database name instead of the URI's (the demo uses its own). */
  dbName?: string;
  /** When we start FerretDB: keep it running after we exit. @defaultValue false */
  keepDevDatabase?: boolean;
}

/** An open store plus a function that closes it and stops a database we started. */
export interface OpenDatabase {
  store: Store;
  /** Where it lives, password-free, for messages. */
  description: string;
  close(): Promise<void>;
}

/**
 * Connect to MONGODB_URI, or to the development FerretDB: the one
 * `zhimi db start` left running, else a fresh one started now.
 */
export async function openDatabase(o: OpenDatabaseOptions): Promise<OpenDatabase> {
  let dev: DevDatabase | undefined;
  let started = false;
  let uri = o.mongoUri;
  if (!uri) {
    dev = await findRunningDevDatabase(o.stateDir);
    if (!dev) {
      dev = await startDevDatabase({ stateDir: o.stateDir, log: o.log, detached: o.keepDevDatabase ?? false });
      started = !(o.keepDevDatabase ?? false);
    }
    uri = dev.uri;
  }
  const store = await connectStore(uri, o.dbName ? { dbName: o.dbName } : {});
  return {
    store,
    description: dev ? `development FerretDB at ${uri}` : 'MONGODB_URI',
    async close() {
      await store.close();
      if (dev && started) await dev.stop();
    },
  };
}
