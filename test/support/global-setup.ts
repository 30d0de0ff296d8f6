import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { paths } from '../../src/config/paths.js';
import { createLogger } from '../../src/log/logger.js';
import { startDevDatabase, type DevDatabase } from '../../src/store/dev-db.js';
import { redisAvailable, startDevRedis } from '../../src/store/dev-redis.js';
import { NO_REDIS } from './redis-note.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    /** redis://… of a redis-server started for this run ('' when none can run here). */
    redisUrl: string;
  }
}

/**
 * One database server for the whole run: the development FerretDB in a fresh
 * data folder, or the server MONGODB_URI points at. Each test file then uses
 * a database of its own (see test/support/db.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = redisAvailable() ? await startDevRedis() : undefined;
  // said at the top of the run, and by each test that needs Redis (a visible skip with the reason)
  if (!redis) process.stderr.write(`\n  NOTE: ${NO_REDIS}; those tests show as skipped.\n\n`);
  project.provide('redisUrl', redis?.url ?? '');
  const external = process.env['MONGODB_URI'];
  if (external) {
    project.provide('mongoUri', external);
    return async () => redis?.stop();
  }
  const dataDir = join(paths.state, `test-data-${process.pid}`);
  const log = createLogger({ level: 'warn', pretty: false });
  const db: DevDatabase = await startDevDatabase({ stateDir: paths.state, dataDir, log });
  project.provide('mongoUri', db.uri);
  return async () => {
    await redis?.stop();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
