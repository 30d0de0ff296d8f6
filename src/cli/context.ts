import { loadFleetConfig, type FleetConfig } from '../config/bots.js';
import { loadEnv, type ZhimiEnv } from '../config/env.js';
import { paths } from '../config/paths.js';
import { loadGroupContent, type GroupContentBundle } from '../config/content-bundle.js';
import { loadLibrary } from '../content/library.js';
import type { Post } from '../content/post-schema.js';
import { createLogger, type Logger } from '../log/logger.js';
import { openDatabase, type OpenDatabase } from '../store/open-database.js';

/** What every command needs, loaded once and validated up front. */
export interface CliContext {
  env: ZhimiEnv;
  log: Logger;
  botsDir: string;
  fleet(): FleetConfig;
  content(): GroupContentBundle;
  library(): Post[];
  contentDir: string;
  db(): Promise<OpenDatabase>;
}

export function createContext(opts: { botsDir?: string | undefined; contentDir?: string | undefined; logLevel?: string | undefined } = {}): CliContext {
  const log = createLogger(opts.logLevel ? { level: opts.logLevel } : {});
  const env = loadEnv(paths.root);
  const botsDir = opts.botsDir ?? paths.bots;
  const contentDir = opts.contentDir ?? paths.content;
  return {
    env,
    log,
    botsDir,
    fleet: () => loadFleetConfig(botsDir),
    content: () => loadGroupContent(contentDir),
    library: () => loadLibrary(contentDir),
    contentDir,
    db: () => openDatabase({ mongoUri: env.mongoUri, stateDir: paths.state, log, keepDevDatabase: true }),
  };
}
