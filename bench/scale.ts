/**
 * bench/scale — `npm run bench:scale`
 *
 * One worker (`FleetWorker`, the class `zhimi fleet start` runs, in a process of its own) with BOTS bots of
 * `zhimi sim` (a process of its own, gRPC through wechaty-puppet-service) and each size of SIZES groups, against
 * the development FerretDB:
 *   - the worker logs its bots in and finds every group (the registry), the groups are tagged, then one run to
 *     every group is planned in the worker as its scheduler plans one (registry and caps history read, planRun into the outbox
 *     with its dispatcher claiming ahead) and sent with limits off: time from the due time to the last post the
 *     simulator received, and to every outcome written; the worker's RSS sampled from /proc every 200 ms (and
 *     its high-water mark), for the growth of RSS per 10,000 groups across the sizes;
 *   - at the largest size, limited runs (LIMITED_PER_BOT posts per bot, LIMITED_GAP_MS between a bot's posts):
 *     their time (due time to the last post received) against the bound the limits allow (LIMITED_PER_BOT ×
 *     LIMITED_GAP_MS), first on the machine as it is, then with a CPU hog spinning on one core; gap violations
 *     and duplicates counted from the simulator's record (its receive times), not from Zhimi's logs.
 * Writes bench/results/scale.json. BENCH_SIZES (comma-separated), BENCH_BOTS, BENCH_MEMBERS (residents per group, default 4),
 * BENCH_LIMITED_RUNS override; BENCH_MEM=<ms> traces the worker's memory, the collector's pauses and the event loop's
 * delays on standard error; the worker sets its heap growth as `zhimi fleet start` does (ZHIMI_WORKER_HEAP_GROWTH);
 * BENCH_WORKER_HEAP_MB gives it a V8 heap budget (--max-old-space-size), BENCH_WORKER_FLAGS any other Node flags.
 */
import { freePortRange } from '../src/shared/free-port.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { paths } from '../src/config/paths.js';
import { systemClock } from '../src/config/clock.js';
import { loadGroupContent } from '../src/config/content-bundle.js';
import { loadFleetConfig, type FleetConfig } from '../src/config/bots.js';
import { createLogger } from '../src/log/logger.js';
import { quietHarmlessWarnings } from '../src/log/process-warnings.js';
import { createMemberKeyer } from '../src/audience/member-key.js';
import { loadLibrary } from '../src/content/library.js';
import { startDevDatabase } from '../src/store/dev-db.js';
import { connectStore, ensureIndexes, type Store } from '../src/store/connection.js';
import { countByStatus } from '../src/outbox/outbox.js';
import { planOutbox } from '../src/outbox/plan-outbox.js';
import { historySince, planRun } from '../src/campaigns/plan-run.js';
import { heapGrowthPercent, limitHeapGrowth } from '../src/worker/heap-growth.js';
import { bumpVersion } from '../src/store/versions.js';
import { listGroups } from '../src/store/groups-repo.js';
import type { CampaignDefinition } from '../src/campaigns/campaign-schema.js';
import { FleetWorker } from '../src/worker/fleet-worker.js';
import { wechatyChannel } from '../src/channels/wechaty/wechaty-channel.js';
import { judgeRecord } from '../src/sim/judge-record.js';
import type { RecordedMessage } from '../src/sim/record.js';
import { probeProcess } from './process-probe.js';
import type { OfficerDirectory } from '../src/fleet/group-membership.js';

const SIZES = (process.env['BENCH_SIZES'] ?? '10000,20000,40000,69000').split(',').map(Number);
const BOTS = Number(process.env['BENCH_BOTS'] ?? 200);
/** Residents per simulated group (Fuzhou: 7.1 million residents in 69,000 groups, about 100 each; the simulator holds them all). */
const MEMBERS = Number(process.env['BENCH_MEMBERS'] ?? 4);
const LIMITED_RUNS = Number(process.env['BENCH_LIMITED_RUNS'] ?? 3);
const LIMITED_PER_BOT = Number(process.env['BENCH_LIMITED_PER_BOT'] ?? 60);
const LIMITED_GAP_MS = 1000;
const UNLIMITED = { minGapMs: 0, jitterMs: 0, perMinute: 1e9, perHour: 1e9, perDay: 1e9 };
const NO_OFFICERS: OfficerDirectory = { officer: async () => undefined };

quietHarmlessWarnings();
const log = createLogger({ level: (process.env['BENCH_LOG_LEVEL'] as 'info' | undefined) ?? 'error', pretty: false });

const campaign = (id: string): CampaignDefinition => ({
  id, name: id, audience: { segments: [], districts: ['all'], tags: [], include: [], exclude: [] },
  posts: { scamTypes: [], audiences: ['general'], tags: [] }, schedule: { cron: '0 0 10 * * *', timezone: 'Asia/Shanghai' },
  caps: { perGroupPerDay: 5, repeatPostAfterDays: 0 }, priority: 'normal',
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (kb: number): number => Math.round(kb / 1024);

/** What the worker process says on its standard output, one JSON line each. */
type WorkerSays =
  | { ready: true; groups: number; bots: number; rssMb: number; startSec: number }
  | { run: string; planned: number; registrySec: number; planSec: number; lastSentSec: number; allFinalSec: number; sent: number; dueAt: number; rssMb: number };

/**
 * The worker side (`--worker`): a FleetWorker with the simulator's bots (limits given here: off, or a gap),
 * its scheduler off; each `run <id> <gapMs> <perBot>` line on standard input plans a run as the scheduler does
 * (the registry and caps history read ahead of the due time by twice the read's time, as PlanningPrefetch does once
 * it has timed a read, then planRun into the outbox through this worker's dispatcher)
 * and answers once every post of it went out and every outcome is written.
 */
async function workerSide(): Promise<void> {
  const t0 = performance.now();
  // the heap growth `zhimi fleet start` sets (ZHIMI_WORKER_HEAP_GROWTH)
  limitHeapGrowth();
  const loaded = loadFleetConfig(process.env['BENCH_BOTS_DIR']!);
  const config: FleetConfig = { ...loaded, fleet: { ...loaded.fleet, perMinute: 1e9 }, bots: loaded.bots.map((b) => ({ ...b, limits: { ...UNLIMITED } })) };
  const store = await connectStore(process.env['MONGODB_URI']!);
  const content = loadGroupContent(paths.content);
  const library = loadLibrary(paths.content);
  const worker = new FleetWorker({
    config, store, keyer: createMemberKeyer('w'.repeat(32)), log, clock: systemClock, channel: wechatyChannel(), content, library,
    officers: NO_OFFICERS, workerId: 'scale', schedule: false,
  });
  let finals = 0;
  let lastSentAt = 0;
  worker.dispatcher.on('delivery:sent', () => {
    finals++;
    lastSentAt = performance.now();
  });
  worker.dispatcher.on('delivery:failed', () => finals++);
  // BENCH_MEM=<ms>: the worker's memory and pauses on standard error that often (the simulator's too: startSim)
  if (process.env['BENCH_MEM']) probeProcess('worker', Number(process.env['BENCH_MEM']));
  await worker.start();
  const expected = Number(process.env['BENCH_GROUPS']);
  for (let said = performance.now(); ; ) {
    const online = config.bots.filter((b) => worker.fleet.runner(b.id)?.isOnline).length;
    // (a count reads every group on FerretDB: only once every bot is in, and not too often)
    const groups = online === config.bots.length ? await store.models.Group.countDocuments() : undefined;
    if (groups !== undefined && groups >= expected) break;
    if (performance.now() - said > 30_000) {
      said = performance.now();
      process.stderr.write(`worker: ${online} of ${config.bots.length} bots online${groups === undefined ? '' : `, ${groups} of ${expected} groups registered`} after ${Math.round((said - t0) / 1000)} s\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  const say = (x: WorkerSays): void => void process.stdout.write(JSON.stringify(x) + '\n');
  say({ ready: true, groups: expected, bots: config.bots.length, rssMb: Math.round(process.memoryUsage().rss / 1048576), startSec: (performance.now() - t0) / 1000 });
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, runId, gap, perBot] = line.trim().split(' ');
    if (cmd === 'stop') break;
    if (cmd !== 'run' || !runId) continue;
    for (const b of config.bots) b.limits = Number(gap) > 0 ? { ...UNLIMITED, minGapMs: Number(gap) } : { ...UNLIMITED };
    // the scheduler reads the registry and what caps count before the due time (PlanningPrefetch)
    const tRead = performance.now();
    const outbox = planOutbox(store, worker.dispatcher);
    const def = campaign(runId.replace(/[@#].*$/, ''));
    let groups = await listGroups(store, { status: 'active' });
    const history = await outbox.readHistory(historySince(def, new Date()));
    const registrySec = (performance.now() - tRead) / 1000;
    if (Number(perBot) > 0) {
      // groups of one bot each, the same number per bot: the limits' bound is perBot × gap
      const per = new Map<string, number>();
      groups = groups.filter((g) => g.botIds.length === 1 && (per.set(g.botIds[0]!, (per.get(g.botIds[0]!) ?? 0) + 1).get(g.botIds[0]!)! <= Number(perBot)));
    }
    // and reads them that far ahead of the due time once it has timed a read: twice the read's time, 10 s at least
    // (PlanningPrefetch.leadMs), so the run is due that long after the read started
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, tRead + Math.max(10_000, 2 * registrySec * 1000) - performance.now())));
    finals = 0;
    const dueAt = Date.now();
    const due = performance.now();
    const planned = await planRun({
      groups, history, store, runId, campaign: def, contentHash: 'bench', scheduledAt: new Date(dueAt), library, ref: content.ref, fleet: config,
      outbox, onlineBotIds: new Set(config.bots.map((b) => b.id)), now: new Date(dueAt),
    });
    const planSec = (performance.now() - due) / 1000;
    const total = planned.planned;
    while (finals < total) await new Promise((resolve) => setTimeout(resolve, 50));
    const lastSentSec = (lastSentAt - due) / 1000;
    // every outcome written (the sent batches): nothing of the run left open in the outbox
    for (;;) {
      const c = await countByStatus(store, runId);
      if (c.planned + c.sending === 0) {
        const allFinalSec = (performance.now() - due) / 1000;
        // the next run starts once the worker closed this one (its sweep reads the run back to close it): each
        // measured run starts with the worker idle, not reading the one before
        for (const until = performance.now() + 600_000; !(await store.models.Run.findOne({ _id: runId }, { closedAt: 1 }).lean())?.closedAt; ) {
          if (performance.now() > until) {
            process.stderr.write(`worker: run ${runId} not closed 10 minutes after its last outcome; going on\n`);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        say({ run: runId, planned: total, registrySec, planSec, lastSentSec, allFinalSec, sent: c.sent, dueAt, rssMb: Math.round(process.memoryUsage().rss / 1048576) });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await worker.close();
  await store.close();
  process.exit(0);
}

/** `zhimi sim` in its own process, recording every message it receives; resolves with its token variables. */
async function startSim(dir: string, groups: number): Promise<{ env: Record<string, string>; botsDir: string; recordFile: string; pid: number; stop(): Promise<void> }> {
  const template = join(dir, 'template');
  const botsDir = join(dir, 'bots');
  const recordFile = join(dir, 'record.jsonl');
  const port = await freePortRange(BOTS + 1);
  mkdirSync(template, { recursive: true });
  writeFileSync(join(template, 'fleet.yaml'), [
    'limits: { minGapMs: 1000, jitterMs: 0, perMinute: 60, perHour: 3600, perDay: 50000 }',
    'fleet: { perMinute: 6000 }',
    'quietHours: { elderly: { from: "00:00", to: "00:00" }, default: { from: "00:00", to: "00:00" } }',
    'officers:',
    '  - { id: officer-scale-wang, name: 王警官 }',
    '',
  ].join('\n'));
  writeFileSync(join(template, 'scale-001.yaml'), `id: scale-001\nname: 规模宣传员001\npuppet: { name: wechaty-puppet-service, endpoint: "127.0.0.1:${port}", tokenEnv: ZHIMI_BOT_SCALE001_TOKEN }\n`);
  const probe = process.env['BENCH_MEM'] ? ['--import', 'tsx', '--import', pathToFileURL(join(paths.root, 'bench', 'sim-probe.ts')).href] : [];
  const child = spawn(process.execPath, [
    ...probe, join(paths.root, 'bin', 'zhimi.js'), '--bots-dir', template, 'sim', '--bots', String(BOTS), '--groups', String(groups), '--members-per-group', String(MEMBERS), '--seed', '9',
    '--bots-out', botsDir, '--record', recordFile,
  ], { cwd: paths.root, env: { ...process.env, ZHIMI_LOG_LEVEL: 'warn', WECHATY_LOG: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const serving = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('Ctrl-C stops the simulator')) resolve();
    };
    child.stdout!.on('data', serving);
    child.stderr!.on('data', serving);
    child.once('exit', (code) => reject(new Error(`zhimi sim exited (${code}) before serving:\n${out.slice(-2000)}`)));
  });
  // from here on what it says on standard error is passed on (its warnings, its memory with BENCH_MEM); its
  // standard output (what it serves) is not kept
  child.stdout!.removeAllListeners('data');
  child.stderr!.removeAllListeners('data');
  child.stderr!.pipe(process.stderr, { end: false });
  child.stdout!.resume();
  const env = Object.fromEntries([...out.matchAll(/export (\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  return {
    env, botsDir, recordFile, pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** RSS of a process from /proc (kB): now, and its high-water mark. */
function rssOf(pid: number): { rssKb: number; hwmKb: number } {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return { rssKb: 0, hwmKb: 0 };
  const text = readFileSync(status, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

/** The worker process, its answers read line by line, its RSS sampled every 200 ms. */
function startWorker(env: NodeJS.ProcessEnv): { child: ChildProcess; next(): Promise<WorkerSays>; send(line: string): void; peakKb(): number; resetPeak(): void; stop(): Promise<void> } {
  // BENCH_WORKER_HEAP_MB: the worker's V8 heap budget (--max-old-space-size), as an operator may give one; BENCH_WORKER_FLAGS: other Node flags
  const flags = [
    ...(process.env['BENCH_WORKER_HEAP_MB'] ? [`--max-old-space-size=${process.env['BENCH_WORKER_HEAP_MB']}`] : []),
    ...(process.env['BENCH_WORKER_FLAGS']?.split(' ').filter(Boolean) ?? []),
  ];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', fileURLToPath(import.meta.url), '--worker'], { cwd: paths.root, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const answers: WorkerSays[] = [];
  const waiting: ((x: WorkerSays) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const x = JSON.parse(line) as WorkerSays;
    const w = waiting.shift();
    if (w) w(x);
    else answers.push(x);
  });
  const exited = once(child, 'exit');
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!).rssKb)), 200);
  return {
    child,
    next: () =>
      answers.length
        ? Promise.resolve(answers.shift()!)
        : Promise.race([
            new Promise<WorkerSays>((resolve) => waiting.push(resolve)),
            exited.then(() => Promise.reject(new Error(`the worker exited (${child.exitCode})`))),
          ]),
    send: (line) => void child.stdin!.write(line + '\n'),
    peakKb: () => Math.max(peak, rssOf(child.pid!).rssKb),
    resetPeak: () => (peak = 0),
    stop: async () => {
      clearInterval(sampler);
      if (child.exitCode !== null) return;
      child.stdin!.write('stop\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Tag every registered group (what officers would do). On FerretDB v1 (SQLite) every update reads the whole
 * collection, even by `_id` (measured at 10,000 groups: 70 ms an update, 3.4 s a bulk of fifty; an updateMany of
 * all of them did not end in 10 minutes), so the bench rewrites the registry instead: read, drop (a delete of
 * 69,000 is refused: "too many SQL variables"), insert tagged.
 */
async function tagAllGroups(store: Store): Promise<void> {
  const groups = await store.models.Group.find({}).lean();
  await store.models.Group.collection.drop();
  await ensureIndexes(store, [store.models.Group as never]);
  const tagged = groups.map((g) => (g.status === 'pending' ? { ...g, status: 'active', district: '鼓楼区', segments: ['general'], taggedBy: 'bench' } : g));
  for (let i = 0; i < tagged.length; i += 1000) await store.models.Group.collection.insertMany(tagged.slice(i, i + 1000) as never[]);
  for (const key of ['registry', 'targeting'] as const) await bumpVersion(store, key);
}

/** The fleet's bots among the senders of a record (the others are members, officers, strangers). */
const fleetBots = (lines: readonly RecordedMessage[]): Set<string> => new Set(lines.map((l) => l.from).filter((f) => f !== 'member' && f !== 'officer' && f !== 'stranger'));

const records = (file: string, since: number): RecordedMessage[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RecordedMessage).filter((l) => l.t >= since) : [];

/**
 * Where a limited run's time goes, from the simulator's record: when each bot's first post came after the due
 * time, and the time between a bot's consecutive posts (the gap asked for, plus what each post costs beyond it).
 */
function pace(posts: readonly RecordedMessage[], dueAt: number): { firstSec: { median: number; max: number }; lastSec: { median: number; max: number }; gapMs: { median: number; p90: number; p99: number; max: number } } {
  const byBot = new Map<string, number[]>();
  for (const p of posts) (byBot.get(p.from) ?? byBot.set(p.from, []).get(p.from)!).push(p.t);
  const firsts: number[] = [];
  const lasts: number[] = [];
  const gaps: number[] = [];
  for (const ts of byBot.values()) {
    ts.sort((a, b) => a - b);
    firsts.push((ts[0]! - dueAt) / 1000);
    lasts.push((ts.at(-1)! - dueAt) / 1000);
    for (let i = 1; i < ts.length; i++) gaps.push(ts[i]! - ts[i - 1]!);
  }
  const at = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? 0;
  const secs = (xs: number[]): { median: number; max: number } => ({ median: Number(at(xs, 0.5).toFixed(2)), max: Number(Math.max(...xs).toFixed(2)) });
  return { firstSec: secs(firsts), lastSec: secs(lasts), gapMs: { median: at(gaps, 0.5), p90: at(gaps, 0.9), p99: at(gaps, 0.99), max: Math.max(...gaps) } };
}

interface SizeResult { groups: number; bots: number; startSec: number; readyRssMb: number; peakRssMb: number; hwmRssMb: number; registrySec: number; planSec: number; dueToLastPostSec: number; dueToAllFinalSec: number; sent: number; perSec: number; duplicates: number }

async function main(): Promise<void> {
  const stateDir = paths.state;
  const dataDir = join(stateDir, 'bench-scale-data');
  rmSync(dataDir, { recursive: true, force: true });
  const db = await startDevDatabase({ stateDir, dataDir, log });
  const out: string[] = [];
  const say = (l: string): void => {
    out.push(l);
    process.stdout.write(l + '\n');
  };
  const sizes: SizeResult[] = [];
  const limited: { loaded: boolean; secs: number[]; boundSec: number; violations: number; duplicates: number; smallestGapMs: number | undefined; posts: number; pace: ReturnType<typeof pace> }[] = [];
  const notMeasured: string[] = [];
  const started = Date.now();
  const budgetMs = Number(process.env['BENCH_BUDGET_MIN'] ?? 60) * 60_000;
  try {
    say(`scale: ${BOTS} bots, sizes ${SIZES.join(', ')} groups; the worker and \`zhimi sim\` each in a process of their own (gRPC); FerretDB on ${process.env['HOSTNAME'] ?? 'this machine'}`);
    /** The figures so far into bench/results/scale.json (after each size: a run stopped part-way keeps what it measured). */
    const writeResult = (final: boolean): void => {
      // RSS growth per 10,000 groups: least-squares slope of the worker's peak RSS over the sizes measured
      const slope = (ys: number[]): number | undefined => {
        if (sizes.length < 2) return undefined;
        const xs = sizes.map((s) => s.groups / 10_000);
        const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
        const my = ys.reduce((a, b) => a + b, 0) / ys.length;
        return Math.round(xs.reduce((a, x, j) => a + (x - mx) * (ys[j]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0));
      };
      const growth = { peakRssMbPer10k: slope(sizes.map((s) => s.peakRssMb)), readyRssMbPer10k: slope(sizes.map((s) => s.readyRssMb)) };
      if (final) say(`worker RSS per 10,000 groups (least squares over ${sizes.map((s) => s.groups).join(', ')}): peak ${growth.peakRssMbPer10k} MB, with the bots and registry only (before the run) ${growth.readyRssMbPer10k} MB`);
      if (final && notMeasured.length) say(`not measured: ${notMeasured.join('; ')}`);
      const result = {
        bots: BOTS, workerHeapMb: process.env['BENCH_WORKER_HEAP_MB'] ? Number(process.env['BENCH_WORKER_HEAP_MB']) : null, heapGrowthPercent: heapGrowthPercent(process.env), workerFlags: process.env['BENCH_WORKER_FLAGS'] ?? null, sizes, rssGrowthPer10kGroups: growth,
        limited: limited.map((l) => ({ loaded: l.loaded, runs: l.secs.length, medianSec: Number(median(l.secs).toFixed(3)), rangeSec: [Number(Math.min(...l.secs).toFixed(3)), Number(Math.max(...l.secs).toFixed(3))], boundSec: l.boundSec, ratio: Number((median(l.secs) / l.boundSec).toFixed(3)), gapViolations: l.violations, duplicates: l.duplicates, smallestGapMs: l.smallestGapMs, posts: l.posts, pace: l.pace })),
        sizesAsked: SIZES, limitedRuns: LIMITED_RUNS, limitedPerBot: LIMITED_PER_BOT, limitedGapMs: LIMITED_GAP_MS, notMeasured,
      };
      mkdirSync(join(paths.root, 'bench', 'results'), { recursive: true });
      writeFileSync(join(paths.root, 'bench', 'results', 'scale.json'), JSON.stringify(result, null, 2) + '\n');
      if (final) say('wrote bench/results/scale.json');
    };
    for (const [i, groups] of SIZES.entries()) {
      if (Date.now() - started > budgetMs) {
        notMeasured.push(`${groups} groups (over the time budget of BENCH_BUDGET_MIN)`);
        continue;
      }
      const largest = i === SIZES.length - 1;
      const dir = mkdtempSync(join(tmpdir(), 'zhimi-scale-'));
      const dbName = `scale_${groups}`;
      const uri = db.uri.replace(/\/zhimi$/, `/${dbName}`);
      const store = await connectStore(uri, { dbName });
      await store.connection.dropDatabase();
      await ensureIndexes(store);
      const tSim = performance.now();
      const sim = await startSim(dir, groups);
      const simSec = (performance.now() - tSim) / 1000;
      const worker = startWorker({
        ...process.env, ...sim.env, ZHIMI_ENV: 'development', MONGODB_URI: uri, BENCH_BOTS_DIR: sim.botsDir, BENCH_GROUPS: String(groups), ZHIMI_LOG_LEVEL: 'error', WECHATY_LOG: 'silent',
      });
      try {
        const ready = await worker.next();
        if (!('ready' in ready)) throw new Error('the worker did not say it was ready');
        await tagAllGroups(store);
        say(`${groups} groups: simulator up in ${simSec.toFixed(0)} s; worker logged in ${ready.bots} bots and registered every group in ${ready.startSec.toFixed(0)} s (RSS then ${ready.rssMb} MB)`);
        worker.resetPeak();
        worker.send(`run scale-${groups}@1 0 0`);
        const r = await worker.next();
        if (!('run' in r)) throw new Error('unexpected answer');
        const posts = records(sim.recordFile, r.dueAt).filter((m) => m.room && fleetBots([m]).size);
        const verdict = judgeRecord(posts, { bots: fleetBots(posts), minGapMs: 0 });
        const lastPost = Math.max(...posts.map((p) => p.t));
        const hwm = rssOf(worker.child.pid!).hwmKb;
        const s: SizeResult = {
          groups, bots: ready.bots, startSec: Number(ready.startSec.toFixed(1)), readyRssMb: ready.rssMb, peakRssMb: mb(worker.peakKb()), hwmRssMb: mb(hwm),
          registrySec: Number(r.registrySec.toFixed(2)), planSec: Number(r.planSec.toFixed(2)), dueToLastPostSec: Number(((lastPost - r.dueAt) / 1000).toFixed(2)),
          dueToAllFinalSec: Number(r.allFinalSec.toFixed(2)), sent: r.sent, perSec: Math.round(r.sent / ((lastPost - r.dueAt) / 1000)), duplicates: verdict.duplicates.length,
        };
        // (a group of the simulated world without a bot is planned as failed, "no bot in group")
        if (r.sent !== r.planned || posts.length !== r.sent || r.planned < groups * 0.99) throw new Error(`run to ${groups} groups: ${r.planned} planned, ${r.sent} sent, ${posts.length} received`);
        sizes.push(s);
        say(`  limits off: due time → last post ${s.dueToLastPostSec} s (${s.perSec} posts/s; registry and caps history read ahead of it in ${s.registrySec} s, planning ${s.planSec} s), every outcome written ${s.dueToAllFinalSec} s; worker peak RSS ${s.peakRssMb} MB (high-water mark ${s.hwmRssMb} MB); duplicates ${s.duplicates}`);
        if (largest && LIMITED_RUNS > 0) {
          for (const loaded of [false, true]) {
            const hog = loaded ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }) : undefined;
            try {
              const secs: number[] = [];
              let violations = 0;
              let duplicates = 0;
              let smallest: number | undefined;
              let postsAll = 0;
              let perBotMax = 0;
              const paceOf: ReturnType<typeof pace>[] = [];
              for (let k = 0; k < LIMITED_RUNS; k++) {
                worker.send(`run limited${loaded ? '-loaded' : ''}-${k}@1 ${LIMITED_GAP_MS} ${LIMITED_PER_BOT}`);
                const l = await worker.next();
                if (!('run' in l)) throw new Error('unexpected answer');
                const got = records(sim.recordFile, l.dueAt).filter((m) => m.room && fleetBots([m]).size);
                const perBot = new Map<string, number>();
                for (const m of got) perBot.set(m.from, (perBot.get(m.from) ?? 0) + 1);
                perBotMax = Math.max(perBotMax, ...perBot.values());
                const v = judgeRecord(got, { bots: new Set(perBot.keys()), minGapMs: LIMITED_GAP_MS });
                violations += v.gapViolations.length;
                duplicates += v.duplicates.length;
                if (v.smallestGapMs !== undefined) smallest = Math.min(smallest ?? Infinity, v.smallestGapMs);
                postsAll += got.length;
                if (l.sent !== l.planned || got.length !== l.planned) throw new Error(`limited run: ${l.sent} sent of ${l.planned}, ${got.length} received`);
                secs.push((Math.max(...got.map((m) => m.t)) - l.dueAt) / 1000);
                paceOf.push(pace(got, l.dueAt));
              }
              const boundSec = (perBotMax * LIMITED_GAP_MS) / 1000;
              const where = paceOf[Math.floor(paceOf.length / 2)]!;
              limited.push({ loaded, secs, boundSec, violations, duplicates, smallestGapMs: smallest, posts: postsAll, pace: where });
              say(`  limited (${LIMITED_PER_BOT} posts per bot, ${LIMITED_GAP_MS} ms gap, ${postsAll / LIMITED_RUNS} posts)${loaded ? ', a CPU hog on one core' : ''}: ${median(secs).toFixed(2)} s (median of ${LIMITED_RUNS}, ${Math.min(...secs).toFixed(2)}–${Math.max(...secs).toFixed(2)} s), bound ${boundSec.toFixed(0)} s, ratio ${(median(secs) / boundSec).toFixed(3)}; gap violations ${violations}, duplicates ${duplicates}, smallest gap ${smallest} ms (simulator's record); a bot's first post ${where.firstSec.median} s after the due time (last bot ${where.firstSec.max} s), its last ${where.lastSec.median} s (last bot ${where.lastSec.max} s), its gaps ${where.gapMs.median} ms (90th percentile ${where.gapMs.p90} ms, 99th ${where.gapMs.p99} ms, longest ${where.gapMs.max} ms)`);
            } finally {
              hog?.kill('SIGKILL');
            }
          }
        }
      } finally {
        await worker.stop();
        await sim.stop();
        await store.connection.dropDatabase().catch(() => undefined);
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
      writeResult(false);
    }
    writeResult(true);
  } finally {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

if (process.argv.includes('--worker')) await workerSide();
else await main();
