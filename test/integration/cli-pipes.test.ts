import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { paths } from '../../src/config/paths.js';
import { testDbUri } from '../support/db.js';

/** Run `zhimi …` with its standard output read by nobody (as `… | head` leaves it once head has its lines). */
function zhimiIntoClosedPipe(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), ...args], {
    cwd: paths.root,
    env: { ...process.env, ZHIMI_LOG_LEVEL: 'silent', MONGODB_URI: testDbUri(import.meta.url), ZHIMI_MEMBER_KEY: 'p'.repeat(32) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // the reader is gone before the command writes anything: every write meets a closed pipe (EPIPE)
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stderr })));
}

describe('zhimi piped into a reader that stops early', () => {
  it('should end quietly with its own exit code, no EPIPE stack trace', async () => {
    for (const args of [['fleet', 'status'], ['scamcheck', 'text', '刚才有人打电话说我快递丢了要赔我钱，让我下个会议软件，是真的吗？']]) {
      const r = await zhimiIntoClosedPipe(...args);
      expect({ args, stderr: r.stderr }).toEqual({ args, stderr: '' });
      expect(r.status).toBe(0);
    }
  }, 60_000);
});
