import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../src/config/paths.js';
import { createLogger } from '../../src/log/logger.js';
import { startDevDatabase, type DevDatabase } from '../../src/store/dev-db.js';

const log = createLogger({ level: 'silent' });

/** TCP ports a process listens on (Linux: its socket inodes matched in /proc/net/tcp*). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const link = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })();
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.add(m[1]!);
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local address, state 0A = LISTEN, inode in column 10
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.push(Number.parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

describe('the development FerretDB', () => {
  const started: DevDatabase[] = [];
  const dirs: string[] = [];
  const dataDir = (): string => {
    const d = join(mkdtempSync(join(tmpdir(), 'zhimi-devdb-')), 'data');
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    for (const d of started.splice(0)) await d.stop().catch(() => undefined);
    for (const d of dirs.splice(0)) rmSync(join(d, '..'), { recursive: true, force: true });
  });

  it('should listen on its own port only (no debug listener) and keep its files to the owner', async () => {
    const dir = dataDir();
    const db = await startDevDatabase({ stateDir: paths.state, dataDir: dir, log });
    started.push(db);
    const port = Number(new URL(db.uri).port);
    expect(listeningPorts(db.pid)).toEqual([port]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) expect({ f, mode: statSync(join(dir, f)).mode & 0o077 }).toEqual({ f, mode: 0 });
  }, 60_000);

  it('should come back on the same port after a crash, so that workers still running find it', async () => {
    const dir = dataDir();
    const first = await startDevDatabase({ stateDir: paths.state, dataDir: dir, log });
    process.kill(first.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await startDevDatabase({ stateDir: paths.state, dataDir: dir, log });
    started.push(again);
    expect(again.pid).not.toBe(first.pid);
    expect(again.uri).toBe(first.uri);
  }, 60_000);
});
