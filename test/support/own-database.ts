import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../src/config/paths.js';
import { createLogger } from '../../src/log/logger.js';
import { startDevDatabase, type DevDatabase } from '../../src/store/dev-db.js';

/**
 * A development FerretDB of a test's own (its own data folder and port), so
 * the test can pause, kill and restart it without touching the database the
 * other test files share.
 */
export interface OwnDatabase {
  /** mongodb://… of a database on it. */
  uri(dbName: string): string;
  readonly pid: number;
  /** SIGSTOP: connections stay open, nothing answers (a hung server, a VM paused). */
  pause(): void;
  resume(): void;
  /** SIGKILL: the server is gone. */
  kill(): Promise<void>;
  /** Started again on the same data folder, hence the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnDatabase(): Promise<OwnDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'zhimi-own-db-'));
  const dataDir = join(dir, 'data');
  const log = createLogger({ level: 'silent' });
  let db: DevDatabase = await startDevDatabase({ stateDir: paths.state, dataDir, log });
  const port = new URL(db.uri).port;
  return {
    uri: (dbName) => `mongodb://127.0.0.1:${port}/${dbName}`,
    get pid() {
      return db.pid;
    },
    pause: () => process.kill(db.pid, 'SIGSTOP'),
    resume: () => process.kill(db.pid, 'SIGCONT'),
    async kill() {
      process.kill(db.pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 200));
    },
    async restart() {
      db = await startDevDatabase({ stateDir: paths.state, dataDir, log });
    },
    async stop() {
      try {
        process.kill(db.pid, 'SIGCONT');
      } catch {
        // gone already
      }
      await db.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
