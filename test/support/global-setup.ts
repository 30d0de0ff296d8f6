import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { paths } from '../../src/config/paths.js';
import { createLogger } from '../../src/log/logger.js';
import { startDevDatabase, type DevDatabase } from '../../src/store/dev-db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

/**
 * One database server for the whole run: the development FerretDB in a fresh
 * data folder, or the server MONGODB_URI points at. Each test file then uses
 * a database of its own (see test/support/db.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['MONGODB_URI'];
  if (external) {
    project.provide('mongoUri', external);
    return async () => undefined;
  }
  const dataDir = join(paths.state, `test-data-${process.pid}`);
  const log = createLogger({ level: 'warn', pretty: false });
  const db: DevDatabase = await startDevDatabase({ stateDir: paths.state, dataDir, log });
  project.provide('mongoUri', db.uri);
  return async () => {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
