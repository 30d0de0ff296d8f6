import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../shared/free-port.js';
import { join } from 'node:path';
import mongoose from 'mongoose';
import type { Logger } from '../log/logger.js';
import { StoreError } from './errors.js';

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

/** Options of {@link ensureFerretDb} and {@link startDevDatabase}. */
export interface DevDatabaseOptions {
  /** Git-ignored state folder (binary in bin/, data in ferretdb-data/). */
  stateDir: string;
  /**
   * Port on 127.0.0.1. @defaultValue the port this data folder was served on last time (recorded in
   * `<dataDir>/port`), else a free port: a database restarted after a crash comes back where running workers
   * look for it
   */
  port?: number;
  /** Data folder. @defaultValue `<stateDir>/ferretdb-data` */
  dataDir?: string;
  log: Logger;
  /** Keep running after this process exits (`zhimi db start`); recorded in `<stateDir>/ferretdb.json`. */
  detached?: boolean;
}

/** A running development FerretDB. */
export interface DevDatabase {
  uri: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Make sure a working ferretdb v1.24.2 binary exists and return its path.
 *
 * A binary made by a plain `go install …/cmd/ferretdb@v1.24.2` panics at start
 * ("Invalid build/version/version.txt file content"), because the module
 * archive lacks the generated version file. So we take the same module
 * version through the Go module cache, add that one file and `go build` it.
 * An existing working binary (ours, or one on GOPATH/bin) is reused.
 */
export function ensureFerretDb(options: Pick<DevDatabaseOptions, 'stateDir' | 'log'>): string {
  const target = join(options.stateDir, 'bin', 'ferretdb');
  if (worksAsFerretDb(target)) return target;
  const goEnv = { ...process.env, GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local', GOTELEMETRY: 'off' };
  const gopath = run('go', ['env', 'GOPATH'], goEnv).trim();
  const installed = join(gopath, 'bin', 'ferretdb');
  if (worksAsFerretDb(installed)) return installed;

  const started = Date.now();
  options.log.info({ version: FERRETDB_VERSION }, 'building FerretDB for the development database (once per machine, about a minute)');
  spawnSync('go', ['telemetry', 'off'], { env: goEnv, stdio: 'ignore' });
  const info = JSON.parse(run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], goEnv)) as { Dir?: string };
  if (!info.Dir) throw new StoreError('ZHIMI_E_DB_START', `go mod download did not return a folder for ${FERRETDB_MODULE}@${FERRETDB_VERSION}`);
  const src = join(options.stateDir, 'build', `ferretdb-${FERRETDB_VERSION}`);
  rmSync(src, { recursive: true, force: true });
  cpSync(info.Dir, src, { recursive: true });
  chmodRecursive(src);
  writeFileSync(join(src, 'build', 'version', 'version.txt'), FERRETDB_VERSION + '\n');
  mkdirSync(join(options.stateDir, 'bin'), { recursive: true });
  run('go', ['build', '-o', target, './cmd/ferretdb'], goEnv, src);
  rmSync(src, { recursive: true, force: true });
  if (!worksAsFerretDb(target)) throw new StoreError('ZHIMI_E_DB_START', `built ${target} but it does not report ${FERRETDB_VERSION}`);
  options.log.info({ seconds: Math.round((Date.now() - started) / 100) / 10 }, 'FerretDB built');
  return target;
}

/**
 * The command line of the development FerretDB: SQLite in `dataDir`, loopback
 * only, telemetry off, and no debug listener (FerretDB serves metrics,
 * profiling and a zip of debugging information on 127.0.0.1:8088 unless told
 * otherwise: anyone on the machine could read them).
 */
export function ferretDbArgs(dataDir: string, port: number): string[] {
  return ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`, `--state-dir=${dataDir}`, `--listen-addr=127.0.0.1:${port}`, '--debug-addr=-', '--telemetry=disable', '--log-level=warn'];
}

/**
 * Start FerretDB (SQLite backend, telemetry disabled, no debug listener) and
 * wait until it answers `ping`. Its files — data, state, log — are readable
 * by the owner only. It listens on the port the data folder was served on
 * last time, so workers still running after a crash of the database find it
 * again once it is started anew (`zhimi db start`).
 *
 * A data folder is served by one FerretDB only: its `ferretdb.json` records
 * the server, the process that owns it and whether it was started detached.
 * A server still in use (detached, or its owner alive) is reused and left
 * running; one orphaned by a crashed owner is stopped first.
 */
export async function startDevDatabase(options: DevDatabaseOptions): Promise<DevDatabase> {
  const dataDir = options.dataDir ?? join(options.stateDir, 'ferretdb-data');
  const inUse = await serverInUse(dataDir);
  if (inUse) return inUse;
  const binary = ensureFerretDb(options);
  const port = options.port ?? (await recordedPort(dataDir, options.log)) ?? (await freePort());
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  keepPrivate(options.stateDir, dataDir);
  writeFileSync(portFile(dataDir), `${port}\n`, { mode: 0o600 });
  const logFile = join(options.stateDir, 'ferretdb.log');
  const out = openSync(logFile, 'a', 0o600);
  // what FerretDB creates (SQLite files, its state) is the owner's alone: the child inherits this umask
  const umask = process.umask(0o077);
  let child: ChildProcess;
  try {
    child = spawn(binary, ferretDbArgs(dataDir, port), { stdio: ['ignore', out, out], env: { ...process.env, FERRETDB_TELEMETRY: 'disable' }, detached: options.detached ?? false });
  } finally {
    process.umask(umask);
    closeSync(out);
  }
  const uri = `mongodb://127.0.0.1:${port}/zhimi`;
  try {
    await waitForPing(uri, child, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new StoreError('ZHIMI_E_DB_START', `FerretDB did not start on 127.0.0.1:${port}: ${(err as Error).message}; see ${logFile}`, { cause: err });
  }
  const state: ServerState = { pid: child.pid ?? 0, uri, ownerPid: process.pid, detached: options.detached ?? false };
  writeFileSync(stateFile(dataDir), JSON.stringify(state) + '\n', { mode: 0o600 });
  options.log.info({ port, dataDir }, 'development database (FerretDB) is up');
  if (options.detached) {
    child.unref();
    return { uri, pid: state.pid, stop: () => stopPid(dataDir, state.pid) };
  }
  // never leave an orphan behind, even when this process dies of an exception
  const killOnExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  return {
    uri,
    pid: state.pid,
    stop: async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
      rmSync(stateFile(dataDir), { force: true });
    },
  };
}

/** The detached development database started by `zhimi db start`, if it still answers. */
export async function findRunningDevDatabase(stateDir: string): Promise<DevDatabase | undefined> {
  return serverInUse(join(stateDir, 'ferretdb-data'));
}

interface ServerState {
  pid: number;
  uri: string;
  ownerPid: number;
  detached: boolean;
}

async function serverInUse(dataDir: string): Promise<DevDatabase | undefined> {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return undefined;
  let state: ServerState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as ServerState;
  } catch {
    rmSync(file, { force: true });
    return undefined;
  }
  if (!alive(state.pid)) {
    rmSync(file, { force: true });
    return undefined;
  }
  const owned = state.detached || (state.ownerPid !== process.pid && alive(state.ownerPid));
  if (owned && (await answersPing(state.uri))) {
    // someone else's server: use it, never stop it
    return { uri: state.uri, pid: state.pid, stop: state.detached ? () => stopPid(dataDir, state.pid) : async () => undefined };
  }
  await stopPid(dataDir, state.pid);
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answersPing(uri: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: timeoutMs }).asPromise();
    try {
      await conn.db!.admin().command({ ping: 1 });
      return true;
    } finally {
      await conn.close();
    }
  } catch {
    return false;
  }
}

function stateFile(dataDir: string): string {
  return join(dataDir, 'ferretdb.json');
}

function portFile(dataDir: string): string {
  return join(dataDir, 'port');
}

/**
 * The port this data folder was served on last time, if it is free now. A
 * port someone else took meanwhile is not fought over: a new one is chosen,
 * and running workers must be restarted to find the database there.
 */
async function recordedPort(dataDir: string, log: Logger): Promise<number | undefined> {
  let port: number;
  try {
    port = Number(readFileSync(portFile(dataDir), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) return undefined;
  if (await portFree(port)) return port;
  log.warn({ port }, 'the development database\'s port is taken by another program: it starts on a new one; restart running workers so they find it');
  return undefined;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * The database's files are the owner's alone (they hold residents' keyed
 * hashes and everything else Zhimi stores): folders 0700, files 0600, also
 * for data written by versions that left them readable by everyone.
 */
function keepPrivate(stateDir: string, dataDir: string): void {
  chmodSync(dataDir, 0o700);
  for (const name of readdirSync(dataDir)) {
    const file = join(dataDir, name);
    chmodSync(file, statSync(file).isDirectory() ? 0o700 : 0o600);
  }
  const logFile = join(stateDir, 'ferretdb.log');
  if (existsSync(logFile)) chmodSync(logFile, 0o600);
}

async function stopPid(dataDir: string, pid: number): Promise<void> {
  rmSync(stateFile(dataDir), { force: true });
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (!alive(pid)) return;
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}


async function waitForPing(uri: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  while (!(await answersPing(uri, 500))) {
    if (exited) throw new Error(exited);
    if (Date.now() > deadline) throw new Error(`no answer to ping within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function worksAsFerretDb(file: string): boolean {
  if (!existsSync(file)) return false;
  const r = spawnSync(file, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes(`version: ${FERRETDB_VERSION}`);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): string {
  const r = spawnSync(cmd, args, { env, cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    const detail = r.error ? r.error.message : r.stderr.trim().split('\n').slice(-5).join(' | ');
    throw new StoreError('ZHIMI_E_DB_START', `\`${cmd} ${args.join(' ')}\` failed: ${detail}. The development database needs Go (to build FerretDB ${FERRETDB_VERSION}); or set MONGODB_URI to an existing MongoDB.`);
  }
  return r.stdout;
}

function chmodRecursive(dir: string): void {
  spawnSync('chmod', ['-R', 'u+w', dir]);
  chmodSync(dir, 0o755);
}
