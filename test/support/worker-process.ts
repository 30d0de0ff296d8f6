import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../src/config/paths.js';
import type { SimHarness } from './sim.js';

/** A bots/ folder for the simulator's bots (YAML as a user would write it). */
export function writeBotsDir(h: SimHarness, officers: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'zhimi-bots-'));
  writeFileSync(
    join(dir, 'fleet.yaml'),
    [
      'limits: { minGapMs: 1000, jitterMs: 0, perMinute: 60, perHour: 1000, perDay: 5000 }',
      'fleet: { perMinute: 600 }',
      'quietHours: { elderly: { from: "21:30", to: "07:30" }, default: { from: "23:00", to: "07:00" } }',
      'officers:',
      ...officers.map((o, i) => `  - { id: ${o}, name: 警官${i} }`),
    ].join('\n') + '\n',
  );
  for (const b of h.config.bots) {
    // the simulator's insecure_ tokens against a test database (not development): accepted only when said so
    writeFileSync(join(dir, `${b.id}.yaml`), `id: ${b.id}\nname: ${b.name}\npuppet: { name: wechaty-puppet-service, endpoint: "${b.puppet.endpoint}", tokenEnv: ${b.puppet.tokenEnv}, tls: insecure }\n`);
  }
  return dir;
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** The fast timings of the tests' workers (a production worker: 2 s ticks, 8 s leases, 120 s claims). */
const FAST_TIMINGS: NodeJS.ProcessEnv = {
  ZHIMI_TICK_MS: '300',
  ZHIMI_BOT_LEASE_MS: '2000',
  ZHIMI_DELIVERY_LEASE_MS: '2500',
  ZHIMI_POLL_MS: '100',
  ZHIMI_SYNC_MS: '500',
  // a worker gives up 8 s without its database; a killed worker's counters are completed by another some 17 s after
  ZHIMI_DB_UNREACHABLE_EXIT_MS: '8000',
};

/**
 * `zhimi fleet start` as its own process, against the test database and simulator: with the tests' fast
 * timings, or a production worker's (`timings: 'production'`); `env` comes last and may set any of them.
 */
export function spawnWorker(o: { botsDir: string; mongoUri: string; env: NodeJS.ProcessEnv; workerId: string; redisUrl?: string; timings?: 'fast' | 'production' }): WorkerProcess {
  let out = '';
  const child = spawn(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), '--bots-dir', o.botsDir, 'fleet', 'start'], {
    cwd: paths.root,
    env: {
      ...process.env,
      ZHIMI_MEMBER_KEY: 'w'.repeat(32),
      ...(o.timings === 'production' ? {} : FAST_TIMINGS),
      ZHIMI_LOG_LEVEL: 'info',
      ...(o.redisUrl ? { ZHIMI_REDIS_URL: o.redisUrl } : {}),
      ...o.env,
      MONGODB_URI: o.mongoUri,
      ZHIMI_WORKER_ID: o.workerId,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}
