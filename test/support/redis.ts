import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, type TestContext } from 'vitest';

import { NO_REDIS } from './redis-note.js';

export { NO_REDIS };

/** The run's redis-server, or a visible skip of this test with the reason. */
export function redisUrlOrSkip(ctx: TestContext): string {
  const url = inject('redisUrl');
  if (!url) ctx.skip(NO_REDIS);
  return url;
}

/** A throwaway CA and a server certificate for 127.0.0.1 (PEM files), made with openssl. */
export function testCertificates(): { dir: string; ca: string; cert: string; key: string; caPem: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'zhimi-tls-'));
  const run = (...args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=zhimi-test-ca');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf');
  return { dir, ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), caPem: readFileSync(join(dir, 'ca.pem')) };
}
