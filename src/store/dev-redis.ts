import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect as tlsConnect } from 'node:tls';
import { createConnection, type Socket } from 'node:net';
import { freePort } from '../shared/free-port.js';

/** A redis-server on loopback for clustered limiters in development and tests. */
export interface DevRedis {
  url: string;
  stop(): Promise<void>;
}

/** Options of {@link startDevRedis}. */
export interface DevRedisOptions {
  /** @defaultValue a free port */
  port?: number;
  /** Serve TLS only (`rediss://`), with this certificate and key (PEM files); clients must trust `ca`. */
  tls?: { cert: string; key: string; ca: string };
  /** An ACL user with every right; the `default` user is then switched off (a deployment's shape). */
  user?: { name: string; password: string };
}

export function redisAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Start Debian's redis-server on 127.0.0.1 (no persistence) and wait until it answers. */
export async function startDevRedis(o: DevRedisOptions | number = {}): Promise<DevRedis> {
  const opts = typeof o === 'number' ? { port: o } : o;
  const p = opts.port ?? (await freePort());
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
  if (opts.tls) args.push('--port', '0', '--tls-port', String(p), '--tls-cert-file', opts.tls.cert, '--tls-key-file', opts.tls.key, '--tls-ca-cert-file', opts.tls.ca, '--tls-auth-clients', 'no');
  else args.push('--port', String(p));
  if (opts.user) args.push('--user', 'default', 'off', '--user', opts.user.name, 'on', `>${opts.user.password}`, '~*', '&*', '+@all');
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const killOnExit = (): void => void child.kill();
  process.once('exit', killOnExit);
  const deadline = Date.now() + 10_000;
  while (!(await answers(p, opts.tls?.ca))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start on 127.0.0.1:${p}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const auth = opts.user ? `${encodeURIComponent(opts.user.name)}:${encodeURIComponent(opts.user.password)}@` : '';
  return {
    url: `${opts.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${p}`,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Does something answer on the port (a PING; with ACL users on, an error answer counts: the server is up)? */
function answers(port: number, ca: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const ping = (s: Socket): void => void s.write('PING\r\n');
    const s: Socket = ca
      ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => ping(s))
      : createConnection({ host: '127.0.0.1', port }, () => ping(s));
    s.once('data', (d) => {
      s.destroy();
      resolve(/^(\+PONG|-NOAUTH|-NOPERM)/.test(String(d)));
    });
    s.once('error', () => resolve(false));
  });
}
