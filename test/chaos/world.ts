import { freePortRange } from '../../src/shared/free-port.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { paths } from '../../src/config/paths.js';
import { shanghaiDay } from '../../src/config/clock.js';
import { connectStore, ensureIndexes, type Store } from '../../src/store/connection.js';
import { listGroups, tagGroup } from '../../src/store/groups-repo.js';
import { countByStatus } from '../../src/outbox/outbox.js';
import { checkStoredDay, type ReportCheck } from '../../src/app/report-check.js';
import { judgeRecord, type RecordVerdict } from '../../src/sim/judge-record.js';
import type { RecordedMessage } from '../../src/sim/record.js';
import { startOwnDatabase, type OwnDatabase } from '../support/own-database.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';
import { keyEnv } from '../support/people.js';
import { planFor } from '../support/plan.js';
import { waitFor } from '../support/wait.js';

/** Options of a chaos world: a database, `zhimi sim` and workers, each a process of its own. */
export interface ChaosWorldOptions {
  groups: number;
  bots: number;
  /** Each bot's minimum gap (ms): what the record is judged against. */
  gapMs?: number;
  seed: number;
  /** Workers give up this long without their database (a killed worker's counters are completed after it). */
  exitAfterMs: number;
}

export interface ChaosWorld {
  db: OwnDatabase;
  store: Store;
  uri: string;
  botIds: string[];
  gapMs: number;
  workers: Map<string, WorkerProcess>;
  startWorker(id: string, o?: { redisUrl?: string; env?: NodeJS.ProcessEnv }): WorkerProcess;
  kill(id: string, signal?: NodeJS.Signals): Promise<number>;
  /** Plan a run of one post per group (as the planner writes it); resolves with the deliveries written. */
  plan(runId: string, o?: { priority?: 0 | 1 }): Promise<number>;
  /** Every message the simulated WeChat received so far. */
  record(): RecordedMessage[];
  /** Duplicates and gaps, judged from the record. */
  judge(): RecordVerdict;
  /** Wait until every delivery of the runs is final. */
  allFinal(runIds: readonly string[], timeoutMs: number): Promise<void>;
  /** The day's counters against the outbox, once no counting session of a dead worker is left open. */
  reportsEqualOutbox(timeoutMs: number): Promise<ReportCheck>;
  /** Bots a worker runs now (by its heartbeats). */
  botsOf(workerId: string): Promise<string[]>;
  /** Seconds from `since` until each of `bots` posted again (the record's receive times); Infinity when one did not. */
  sentAgainWithin(bots: readonly string[], since: number): number;
  /** What the workers logged about these bots since a time (seconds after it, worker, message): to see where a recovery's time went. */
  timeline(bots: readonly string[], since: number): string[];
  stop(): Promise<void>;
}

/**
 * A world to break: its own development FerretDB, `zhimi sim` in its own
 * process recording every message (`--record`), bots whose YAML the
 * simulator wrote (`--bots-out`), and `zhimi fleet start` workers with
 * production timings. Every group is tagged once the workers registered them.
 */
export async function startChaosWorld(o: ChaosWorldOptions): Promise<ChaosWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'zhimi-chaos-'));
  const gapMs = o.gapMs ?? 1000;
  const template = join(dir, 'template');
  const botsDir = join(dir, 'bots');
  const recordFile = join(dir, 'record.jsonl');
  const port = await freePortRange(o.bots + 1);
  // a bots folder with one bot: `zhimi sim --bots N` serves it and N-1 more, and writes all their YAML
  mkdirSync(template, { recursive: true });
  writeFileSync(join(template, 'fleet.yaml'), [
    `limits: { minGapMs: ${gapMs}, jitterMs: 0, perMinute: 60, perHour: 3600, perDay: 50000 }`,
    'fleet: { perMinute: 6000 }',
    'quietHours: { elderly: { from: "00:00", to: "00:00" }, default: { from: "00:00", to: "00:00" } }',
    'officers:',
    '  - { id: officer-chaos-wang, name: 王警官 }',
    '',
  ].join('\n'));
  writeFileSync(join(template, 'chaos-01.yaml'), `id: chaos-01\nname: 混沌宣传员01\npuppet: { name: wechaty-puppet-service, endpoint: "127.0.0.1:${port}", tokenEnv: ZHIMI_BOT_CHAOS01_TOKEN }\n`);
  const db = await startOwnDatabase();
  const dbName = `chaos_${process.pid}`;
  const uri = db.uri(dbName);
  const store = await connectStore(uri);
  await ensureIndexes(store);
  const sim: ChildProcess = spawn(process.execPath, [
    join(paths.root, 'bin', 'zhimi.js'), '--bots-dir', template, 'sim', '--bots', String(o.bots), '--groups', String(o.groups), '--members-per-group', '8', '--seed', String(o.seed),
    '--bots-out', botsDir, '--record', recordFile,
  ], { cwd: paths.root, env: { ...process.env, ZHIMI_LOG_LEVEL: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let simOut = '';
  sim.stdout!.on('data', (d) => (simOut += String(d)));
  sim.stderr!.on('data', (d) => (simOut += String(d)));
  await waitFor(() => expect(simOut).toContain('Ctrl-C stops the simulator'), 60_000, 100);
  const tokens = Object.fromEntries([...simOut.matchAll(/export (\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  const botIds = [...simOut.matchAll(/^bot (\S+)\s+endpoint/gm)].map((m) => m[1]!);
  const workers = new Map<string, WorkerProcess>();
  const world: ChaosWorld = {
    db, store, uri, botIds, gapMs, workers,
    startWorker(id, w = {}) {
      const p = spawnWorker({
        botsDir, mongoUri: uri, workerId: id, timings: 'production', ...(w.redisUrl ? { redisUrl: w.redisUrl } : {}),
        env: { ...tokens, ...keyEnv(), ZHIMI_ENV: 'development', ZHIMI_DB_UNREACHABLE_EXIT_MS: String(o.exitAfterMs), ...w.env },
      });
      workers.set(id, p);
      return p;
    },
    async kill(id, signal = 'SIGKILL') {
      const p = workers.get(id)!;
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
      return (await p.exited) ?? -1;
    },
    async plan(runId, p = {}) {
      const groups = await listGroups(store, { status: 'active' });
      return planFor(store, groups, runId, { pick: (g) => [...g.botIds].sort()[0]!, ...(p.priority ? { priority: p.priority } : {}) });
    },
    record() {
      if (!existsSync(recordFile)) return [];
      return readFileSync(recordFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RecordedMessage);
    },
    judge() {
      return judgeRecord(world.record(), { bots: new Set(botIds), minGapMs: gapMs, isPost: (t) => t.startsWith('【') });
    },
    async allFinal(runIds, timeoutMs) {
      await waitFor(async () => {
        for (const r of runIds) {
          const c = await countByStatus(store, r);
          expect({ run: r, open: c.planned + c.sending }).toEqual({ run: r, open: 0 });
        }
      }, timeoutMs, 500);
    },
    async reportsEqualOutbox(timeoutMs) {
      await waitFor(async () => {
        const open = await store.models.TallySession.find({ closedAt: { $exists: false } }, { writer: 1 }).lean();
        const live = [...workers].filter(([, p]) => p.child.exitCode === null && p.child.signalCode === null).map(([id]) => id);
        expect(open.map((s) => s.writer).filter((w) => !live.includes(w))).toEqual([]);
      }, timeoutMs, 1000);
      let last: ReportCheck | undefined;
      await waitFor(async () => {
        last = await checkStoredDay(store, shanghaiDay(new Date()));
        expect(last.differences).toEqual([]);
      }, 15_000, 500).catch((err: unknown) => {
        // the outbox's figures beside the differences: which side is off, and by how much
        throw new Error(`the day's counters differ from the outbox: ${JSON.stringify(last)}`, { cause: err });
      });
      return last!;
    },
    async botsOf(workerId) {
      return (await store.models.Bot.find({ workerId, status: 'online' }, { botId: 1 }).lean()).map((b) => b.botId).sort();
    },
    sentAgainWithin(bots, since) {
      const lines = world.record().filter((l) => l.t > since && bots.includes(l.from) && l.room);
      let worst = 0;
      for (const b of bots) {
        const first = lines.find((l) => l.from === b);
        if (!first) return Infinity;
        worst = Math.max(worst, (first.t - since) / 1000);
      }
      return worst;
    },
    timeline(bots, since) {
      const out: { t: number; line: string }[] = [];
      for (const [id, p] of workers) {
        for (const raw of p.output().split('\n')) {
          if (!raw.startsWith('{')) continue;
          const l = JSON.parse(raw) as { time?: number; msg?: string; botId?: string; bots?: string[] };
          if (!l.time || l.time < since || !(bots.includes(l.botId ?? '') || l.bots?.some((b) => bots.includes(b)))) continue;
          out.push({ t: l.time, line: `+${((l.time - since) / 1000).toFixed(1)}s ${id} ${l.botId ?? ''} ${l.msg}` });
        }
      }
      return out.sort((a, b) => a.t - b.t).map((x) => x.line);
    },
    async stop() {
      // CHAOS_LOGS=<dir> keeps every worker's log and the simulator's record there
      const keep = process.env['CHAOS_LOGS'];
      if (keep) {
        mkdirSync(keep, { recursive: true });
        for (const [id, p] of workers) writeFileSync(join(keep, `worker-${id}.log`), p.output());
        if (existsSync(recordFile)) writeFileSync(join(keep, 'record.jsonl'), readFileSync(recordFile));
      }
      for (const p of workers.values()) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all([...workers.values()].map((p) => p.exited));
      if (sim.exitCode === null) {
        const exited = once(sim, 'exit');
        sim.kill('SIGINT');
        await exited;
      }
      await store.close().catch(() => undefined);
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Tag every registered group once the workers' bots found them all. */
export async function tagEveryGroup(w: ChaosWorld, groups: number, timeoutMs = 120_000): Promise<void> {
  await waitFor(async () => expect(await w.store.models.Group.countDocuments()).toBe(groups), timeoutMs, 500);
  for (const g of await listGroups(w.store, { status: 'pending' })) await tagGroup(w.store, g.roomId, { district: '仓山区', segments: ['general'], taggedBy: 'chaos' });
}

/** What a chaos scenario measured, printed for BENCHMARKS.md and the report. */
export function said(scenario: string, figures: Record<string, unknown>): void {
  process.stdout.write(`CHAOS ${scenario}: ${JSON.stringify(figures)}\n`);
}
