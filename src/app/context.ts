import { loadFleetConfig, type FleetConfig } from '../config/bots.js';
import { loadEnv, type ZhimiEnv } from '../config/env.js';
import { paths } from '../config/paths.js';
import { loadGroupContent, type GroupContentBundle } from '../config/content-bundle.js';
import { loadLibrary } from '../content/library.js';
import type { Post } from '../content/post-schema.js';
import type { Clock } from '../config/clock.js';
import { systemClock } from '../config/clock.js';
import type { Logger } from '../log/logger.js';
import { openDatabase, type OpenDatabase } from '../store/open-database.js';
import { openSideConnection, type Store } from '../store/connection.js';
import { loadKeys, type InstallationKeys } from '../config/keys.js';

/**
 * What every use case needs, loaded once and validated when first asked for:
 * the environment, configuration and content, the clock, the logger, and the
 * database (opened on first use, closed by `close()`). One per command of the
 * CLI; one per process of the HTTP API.
 */
export interface AppContext {
  env: ZhimiEnv;
  log: Logger;
  clock: Clock;
  botsDir: string;
  contentDir: string;
  fleet(): FleetConfig;
  content(): GroupContentBundle;
  library(): Post[];
  store(): Promise<Store>;
  /**
   * A second connection to the same database for the slow reads the console
   * keeps (the registry, the dashboard's figures, runs in progress, the
   * fleet's state): reads only. On FerretDB a process's operations on one
   * connection run one after another, so a read of seconds there would hold
   * up every call on `store()`. Opened on first use, closed by `close()`;
   * the store itself until `readApart()` was called (a one-shot command has
   * nothing to keep apart).
   */
  readerStore(): Promise<Store>;
  /** From now on, `readerStore()` is a connection of its own (a process serving the console: `zhimi serve`). */
  readApart(): void;
  /** Where the database lives, password-free (after `store()`). */
  dbDescription(): string | undefined;
  /** The installation's signing keys this process holds, and the public keys it verifies with. */
  keys(): InstallationKeys;
  close(): Promise<void>;
}

export interface AppContextOptions {
  log: Logger;
  botsDir?: string | undefined;
  contentDir?: string | undefined;
  clock?: Clock;
  env?: ZhimiEnv;
  /** The environment the keys come from. @defaultValue process.env */
  processEnv?: NodeJS.ProcessEnv;
  /** A store opened elsewhere (the demo's database): used as it is, and not closed by `close()`. */
  store?: Store;
  /** Keys loaded elsewhere (the demo's development keys, whatever its database). */
  keys?: InstallationKeys;
}

export function createAppContext(o: AppContextOptions): AppContext {
  const env = o.env ?? loadEnv(paths.root);
  const botsDir = o.botsDir ?? paths.bots;
  const contentDir = o.contentDir ?? paths.content;
  let fleet: FleetConfig | undefined;
  let content: GroupContentBundle | undefined;
  let library: Post[] | undefined;
  let db: Promise<OpenDatabase> | undefined;
  let opened: OpenDatabase | undefined;
  let reader: Promise<Store> | undefined;
  let apart = false;
  let keys: InstallationKeys | undefined = o.keys;
  const store = async (): Promise<Store> => {
    if (o.store) return o.store;
    db ??= openDatabase({ mongoUri: env.mongoUri, stateDir: paths.state, log: o.log, keepDevDatabase: true }).then((d) => (opened = d));
    return (await db).store;
  };
  return {
    env,
    log: o.log,
    clock: o.clock ?? systemClock,
    botsDir,
    contentDir,
    fleet: () => (fleet ??= loadFleetConfig(botsDir)),
    content: () => (content ??= loadGroupContent(contentDir)),
    library: () => (library ??= loadLibrary(contentDir)),
    store,
    readerStore: () => {
      if (!apart) return store();
      reader ??= store().then((s) => openSideConnection(s));
      reader.catch(() => (reader = undefined));
      return reader;
    },
    readApart: () => void (apart = true),
    dbDescription: () => opened?.description,
    keys: () => (keys ??= loadKeys({ env: o.processEnv ?? process.env, stateDir: paths.state, devDatabase: !env.mongoUri })),
    close: async () => {
      if (reader) await (await reader.catch(() => undefined))?.close();
      if (db) await (await db).close();
    },
  };
}
