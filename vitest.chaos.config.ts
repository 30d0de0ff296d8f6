import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: the long failure scenarios (workers killed with SIGKILL, the database paused for
 * 150 s and restarted, a worker killed with Redis), each against a database, a simulator and worker processes
 * of its own, one file at a time. Each judges duplicates and gaps from the simulator's record, reports against
 * the outbox (report check) and recovery times against their goals.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-warnings.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 180_000,
    env: { ZHIMI_LOG_LEVEL: 'silent', WECHATY_LOG: 'silent', ZHIMI_LOGIN_QR_DIR: join(tmpdir(), 'zhimi-test-login-qr') },
  },
});
