import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-warnings.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // QR codes of bots whose accounts the tests log out go to a temporary folder, not the checkout's .zhimi/
    env: { ZHIMI_LOG_LEVEL: 'silent', WECHATY_LOG: 'silent', ZHIMI_LOGIN_QR_DIR: join(tmpdir(), 'zhimi-test-login-qr') },
  },
});
