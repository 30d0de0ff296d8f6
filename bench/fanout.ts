/**
 * bench/fanout — `npm run bench:fanout`
 *
 * One campaign to GROUPS simulated groups across BOTS bots, measured in one run
 * against the development FerretDB:
 *   - Zhimi end to end from the due time (plan the run, claim, say, confirm) with limits set to zero; the registry
 *     read the scheduler makes just before the due time is timed on its own,
 *   - the same database's raw insertMany of as many delivery-sized documents (the physical bound),
 *   - a naive loop (await say, then insertOne, per group) on a sample of groups,
 *   - where a run's time goes: CPU seconds of this process and of the database server, and the simulated
 *     WeChat alone (every group's say through the same in-process puppets, no database),
 *   - the least outbox: each delivery written claimed before its say and the outcomes after, with none of
 *     Zhimi's logic (a floor for the end-to-end figure on this database and these puppets),
 *   - limited runs (LIMITED_GAP_MS between posts of each bot): their time against the bound the limits allow,
 *     with limit violations and duplicates counted from the simulator's receive timestamps over all of them.
 * Bots run on in-process simulated puppets (no gRPC), so the simulator is not what is measured
 * (see ../shared/BENCHMARKING.md); two gRPC figures run the same pipeline through wechaty-puppet-service: with the
 * PuppetServer in this process, and with `zhimi sim` in its own process.
 * Each figure is the median of RUNS runs after a warm-up. Writes bench/results/fanout.json.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { Types, type Model } from 'mongoose';
import { paths } from '../src/config/paths.js';
import { systemClock } from '../src/config/clock.js';
import { loadGroupContent } from '../src/config/content-bundle.js';
import { loadFleetConfig, type BotConfig, type FleetConfig } from '../src/config/bots.js';
import { testBotsFor } from '../src/cli/sim-bots.js';
import { createLogger } from '../src/log/logger.js';
import { quietHarmlessWarnings } from '../src/log/process-warnings.js';
import { createMemberKeyer } from '../src/audience/member-key.js';
import { loadLibrary } from '../src/content/library.js';
import { startDevDatabase } from '../src/store/dev-db.js';
import { connectStore, ensureIndexes, type Store } from '../src/store/connection.js';
import { countByStatus } from '../src/outbox/outbox.js';
import { generateWorld } from '../src/sim/generate-world.js';
import { SimWorld } from '../src/sim/world.js';
import { SimPuppet } from '../src/sim/sim-puppet.js';
import { startFleetSimulator } from '../src/sim/fleet-simulator.js';
import { Fleet } from '../src/fleet/fleet.js';
import { defaultPuppetFactory, type PuppetFactory } from '../src/channels/wechaty/puppet-factory.js';
import { planRun } from '../src/campaigns/plan-run.js';
import { listGroups } from '../src/store/groups-repo.js';
import type { CampaignDefinition } from '../src/campaigns/campaign-schema.js';
import { Dispatcher } from '../src/delivery/dispatcher.js';
import { Limiters } from '../src/delivery/limiters.js';
import { planOutbox } from '../src/outbox/plan-outbox.js';
import { BotRunner } from '../src/channels/wechaty/bot-runner.js';
import { wechatyChannel } from '../src/channels/wechaty/wechaty-channel.js';
import type { OfficerDirectory } from '../src/fleet/group-membership.js';

/** No officer commands bots in the benchmark. */
const NO_OFFICERS: OfficerDirectory = { officer: async () => undefined };

const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 20_000);
const BOTS = Number(process.env['BENCH_BOTS'] ?? 100);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const NAIVE_SAMPLE = Math.min(GROUPS, Number(process.env['BENCH_NAIVE'] ?? 2_000));
const LIMITED_GAP_MS = 50;
const GRPC_GROUPS = Math.min(GROUPS, 2_000);
const GRPC_BOTS = 10;

quietHarmlessWarnings();
const log = createLogger({ level: 'error', pretty: false });
const content = loadGroupContent(paths.content);
const library = loadLibrary(paths.content);
const UNLIMITED = { minGapMs: 0, jitterMs: 0, perMinute: 1e9, perHour: 1e9, perDay: 1e9 };

function fleetConfig(bots: BotConfig[], perMinute = 1e9): FleetConfig {
  return { dir: 'bench', displayName: '反诈宣传员', limits: UNLIMITED, fleet: { perMinute }, quietHours: { elderly: { from: '00:00', to: '00:00' }, default: { from: '00:00', to: '00:00' } }, officers: [], scamCheck: { perMember: 3, windowMinutes: 10, maxChars: 500 }, engagement: { windowMinutes: 120 }, bots };
}

function botConfigs(n: number, limits = UNLIMITED): BotConfig[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `b${String(i).padStart(3, '0')}`, name: `宣传员${i}`, file: 'bench', enabled: true,
    puppet: { name: 'wechaty-puppet-service', endpoint: '127.0.0.1:1', tokenEnv: `ZHIMI_BOT_B${i}_TOKEN` }, limits,
  }));
}

const campaign = (id: string): CampaignDefinition => ({
  id, name: id, audience: { segments: [], districts: ['all'], tags: [], include: [], exclude: [] },
  posts: { scamTypes: [], audiences: ['general'], tags: [] }, schedule: { cron: '0 0 10 * * *', timezone: 'Asia/Shanghai' },
  caps: { perGroupPerDay: 5, repeatPostAfterDays: 0 }, priority: 'normal',
});

/** CPU seconds a process has used so far (Linux /proc; this process through `process.cpuUsage`). */
function cpuSec(pid: number): number {
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return NaN;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Empty the outbox between runs (dropped and re-indexed: FerretDB's deleteMany fails on 20,000 documents, "too many SQL variables"). */
async function resetOutbox(store: Store): Promise<void> {
  const models = [store.models.Delivery, store.models.DeliveryEvent, store.models.Run] as unknown as Model<unknown>[];
  for (const m of models) await m.collection.drop().catch(() => undefined);
  await ensureIndexes(store, models);
}

/** Register rooms as tagged groups (what officers' tagging would give: active, general). */
async function registerGroups(store: Store, rooms: Iterable<{ roomId: string; topic: string; memberCount: number; botIds: string[]; district?: string; station?: string }>): Promise<void> {
  await store.models.Group.deleteMany({});
  const docs = [...rooms].map((r) => ({
    roomId: r.roomId, topic: r.topic, district: r.district ?? '鼓楼区', station: r.station, segments: ['general'], tags: [], status: 'active',
    memberCount: r.memberCount, botIds: r.botIds, memberSample: [],
  }));
  for (let i = 0; i < docs.length; i += 5000) await store.models.Group.insertMany(docs.slice(i, i + 5000), { ordered: false });
}

/** A simulated world's rooms, with the district and station they really belong to. */
const worldRooms = (world: SimWorld) => {
  const botOf = new Map(world.bots.map((b) => [b.contactId, b.botId]));
  return [...world.rooms.values()].map((r) => ({
    roomId: r.id, topic: r.topic, memberCount: r.memberIds.filter((m) => !botOf.has(m)).length, botIds: r.memberIds.flatMap((m) => botOf.get(m) ?? []), district: r.truth.district, station: r.truth.station,
  }));
};

/** `zhimi sim` in a child process; resolves with its token variables once it serves. */
async function startSimProcess(groups: number, bots: number): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const child = spawn(join(paths.root, 'node_modules', '.bin', 'tsx'), ['src/cli/main.ts', 'sim', '--groups', String(groups), '--members-per-group', '4', '--bots', String(bots), '--seed', '8'], {
    cwd: paths.root, env: process.env, stdio: ['ignore', 'pipe', 'ignore'],
  });
  const env: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const m of out.matchAll(/export (\w+)=(\S+)/g)) env[m[1]!] = m[2]!;
      if (out.includes('Ctrl-C stops the simulator.')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`zhimi sim exited (${code}) before serving`)));
  });
  return {
    env,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}

/**
 * The least any outbox that keeps the invariants can do, with none of Zhimi's logic (no planning, targeting,
 * rendering, limits, lanes or retries): each group's delivery written claimed before its say (chunks of 500,
 * the next queued while the last is written), each say through the same runners, and the sent outcomes written
 * after in batches of 50 per bot. A floor for the end-to-end figure on this database, measured in the same run.
 */
async function leastOutboxRun(store: Store, fleet: Fleet, rooms: { id: string; botId: string }[], tag: string, dbPid: number): Promise<{ sec: number; nodeCpuSec: number; dbCpuSec: number }> {
  const deliveries = store.connection.collection('bench_least_deliveries');
  const events = store.connection.collection('bench_least_events');
  await deliveries.drop().catch(() => undefined);
  await events.drop().catch(() => undefined);
  const text = '【反诈提醒】请勿向陌生账户转账，拨打96110咨询。'.repeat(3);
  const cpu0 = { node: cpuSec(process.pid), db: cpuSec(dbPid) };
  const t0 = performance.now();
  const sentOf = new Map<string, object[]>(rooms.map((r) => [r.botId, []]));
  const writes: Promise<unknown>[] = [];
  const flush = (botId: string, atEnd = false): void => {
    const items = sentOf.get(botId)!;
    if (items.length < 50 && !(atEnd && items.length)) return;
    sentOf.set(botId, []);
    writes.push(events.insertOne({ _id: `sent:${tag}:${writes.length}` as never, kind: 'sent-batch', runId: tag, campaignId: 'least', botId, workerId: 'bench', at: new Date(), items, count: items.length }));
  };
  let written: Promise<unknown> = Promise.resolve();
  const chunks: Promise<unknown>[] = [];
  for (let i = 0; i < rooms.length; i += 500) {
    const now = new Date();
    const docs = rooms.slice(i, i + 500).map((r) => ({
      _id: `${tag}:${r.id}` as never, runId: tag, campaignId: 'least', groupId: new Types.ObjectId(), roomId: r.id, botId: r.botId, postId: 'p', contentHash: 'h', text,
      priority: 0, status: 'planned', notBefore: now, claimedBy: 'bench', claimedAt: now, leaseUntil: now, createdAt: now, updatedAt: now,
    }));
    written = written.then(() => deliveries.insertMany(docs, { ordered: false }));
    chunks.push(written.then(async () => {
      const perBot = new Map<string, typeof docs>();
      for (const d of docs) (perBot.get(d.botId) ?? perBot.set(d.botId, []).get(d.botId)!).push(d);
      await Promise.all([...perBot].map(async ([botId, ds]) => {
        for (const d of ds) {
          const members = await (fleet.runner(botId) as BotRunner).say(d.roomId, d.text);
          sentOf.get(botId)!.push({ deliveryId: d._id, seq: 2, groupId: String(d.groupId), postId: d.postId, reach: members.length, sentAt: new Date(), day: '2026-11-25' });
          flush(botId);
        }
      }));
    }));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(chunks);
  for (const botId of sentOf.keys()) flush(botId, true);
  await Promise.all(writes);
  const sec = (performance.now() - t0) / 1000;
  return { sec, nodeCpuSec: cpuSec(process.pid) - cpu0.node, dbCpuSec: cpuSec(dbPid) - cpu0.db };
}

/** The rooms the bots find over gRPC, each once. */
async function discoveredRooms(fleet: Fleet, config: FleetConfig): Promise<{ roomId: string; topic: string; memberCount: number; botIds: string[] }[]> {
  const seen = new Map<string, { roomId: string; topic: string; memberCount: number; botIds: string[] }>();
  for (const b of config.bots) {
    const runner = fleet.runner(b.id)!;
    for (const roomId of await runner.roomIds()) {
      const v = (await runner.room(roomId))!;
      const room = seen.get(v.roomId) ?? seen.set(v.roomId, { roomId: v.roomId, topic: v.topic, memberCount: v.memberKeys.length, botIds: [] }).get(v.roomId)!;
      room.botIds.push(b.id);
    }
  }
  return [...seen.values()];
}

/**
 * Plan one run to every group and send it all, as a worker does: the lanes run, the planner hands each
 * chunk it writes to the dispatcher; seconds from the due time to the last outcome written.
 */
async function zhimiRun(store: Store, fleet: Fleet, config: FleetConfig, runId: string, gapScale = 1, dbPid = 0): Promise<{ sec: number; registrySec: number; sent: number; nodeCpuSec: number; dbCpuSec: number }> {
  const limiters = new Limiters(config);
  const dispatcher = new Dispatcher({
    store, clock: systemClock, log, workerId: 'bench', runnerOf: (id) => fleet.runner(id), botNotInGroup: (b, g) => fleet.botMissingFromGroup(b, g),
    limitsOf: (id) => config.bots.find((b) => b.id === id)!.limits, limiters, gapScale, random: () => 0,
  });
  for (const b of config.bots) dispatcher.startLane(b.id);
  // the scheduler reads the registry just before the due time (PlanningPrefetch), timed on its own here; the caps history it also reads then is read inside planRun here, in the timed run
  const tRead = performance.now();
  const groups = await listGroups(store);
  const registrySec = (performance.now() - tRead) / 1000;
  const cpu0 = { node: cpuSec(process.pid), db: cpuSec(dbPid) };
  const t0 = performance.now();
  await planRun({ groups,
    store, runId, campaign: campaign(runId.split('@')[0]!), contentHash: 'bench', scheduledAt: new Date(), library, ref: content.ref, fleet: config, outbox: planOutbox(store, dispatcher),
    onlineBotIds: new Set(config.bots.map((b) => b.id)), now: new Date(),
  });
  const tPlan = performance.now();
  await dispatcher.whenIdle();
  const sec = (performance.now() - t0) / 1000;
  const nodeCpuSec = cpuSec(process.pid) - cpu0.node;
  const dbCpuSec = cpuSec(dbPid) - cpu0.db;
  if (process.env['BENCH_DEBUG']) process.stderr.write(`plan ${(tPlan - t0).toFixed(0)} ms, to idle ${(performance.now() - tPlan).toFixed(0)} ms\n`);
  await dispatcher.close();
  await limiters.close();
  return { sec, registrySec, sent: (await countByStatus(store, runId)).sent, nodeCpuSec, dbCpuSec };
}

async function main(): Promise<void> {
  const stateDir = paths.state;
  const dataDir = join(stateDir, 'bench-data');
  rmSync(dataDir, { recursive: true, force: true });
  const db = await startDevDatabase({ stateDir, dataDir, log });
  const store = await connectStore(db.uri, { dbName: 'bench' });
  const out: string[] = [];
  const say = (l: string): void => {
    out.push(l);
    process.stdout.write(l + '\n');
  };
  try {
    // --- in-process bots over the shared simulated world
    const bots = botConfigs(BOTS);
    const config = fleetConfig(bots);
    const world = new SimWorld(generateWorld(content.ref, { groups: GROUPS, membersPerGroup: 4, bots: bots.map((b) => ({ botId: b.id, name: b.name })), secondBotShare: 0, seed: 7 }));
    const factory: PuppetFactory = async (bot) => new SimPuppet({ world, botId: bot.id }) as never;
    const fleet = new Fleet({ config, store, keyer: createMemberKeyer('b'.repeat(32)), officers: NO_OFFICERS, log, clock: systemClock, channel: wechatyChannel(factory), content });
    const login = await fleet.start();
    if (login.failed.length) throw new Error(`bots failed: ${login.failed.map((f) => f.botId).join(', ')}`);
    const contactToBot = new Map(world.bots.map((b) => [b.contactId, b.botId]));
    await registerGroups(store, worldRooms(world));
    say(`fanout: ${GROUPS} groups, ${BOTS} bots (in-process simulated puppets), FerretDB ${store.server.version}, ${RUNS} runs + warm-up, median`);

    // warm-up (not counted)
    await zhimiRun(store, fleet, config, 'warm@0');
    await resetOutbox(store);

    const zhimi: number[] = [];
    const withRead: number[] = [];
    const registry: number[] = [];
    const raw: number[] = [];
    const naive: number[] = [];
    const cpu: { node: number; db: number }[] = [];
    const sayOnly: number[] = [];
    const least: number[] = [];
    const leastCpu: { node: number; db: number }[] = [];
    const botOfRoom = (room: { memberIds: string[] }): string => contactToBot.get(room.memberIds.find((m) => contactToBot.has(m))!)!;
    const roomsOfBot = new Map<string, string[]>();
    for (const room of world.rooms.values()) {
      const botId = botOfRoom(room);
      (roomsOfBot.get(botId) ?? roomsOfBot.set(botId, []).get(botId)!).push(room.id);
    }
    const sample = [...world.rooms.values()].slice(0, NAIVE_SAMPLE);
    const rawColl = store.connection.collection('bench_raw');
    const naiveColl = store.connection.collection('bench_naive');
    for (let r = 0; r < RUNS; r++) {
      const z = await zhimiRun(store, fleet, config, `fanout@${r}`, 1, db.pid);
      if (z.sent !== GROUPS) throw new Error(`run ${r}: sent ${z.sent} of ${GROUPS}`);
      cpu.push({ node: z.nodeCpuSec, db: z.dbCpuSec });
      zhimi.push(GROUPS / z.sec);
      withRead.push(GROUPS / (z.sec + z.registrySec));
      registry.push(z.registrySec);
      await resetOutbox(store);

      const docs = [...world.rooms.values()].map((room) => ({
        runId: `raw@${r}`, campaignId: 'raw', groupId: new Types.ObjectId(), roomId: room.id, botId: 'b000', postId: 'p', contentHash: 'h',
        text: '【反诈提醒】请勿向陌生账户转账，拨打96110咨询。'.repeat(3), priority: 0, status: 'sent', notBefore: new Date(), attempts: 1, reach: 4, sentAt: new Date(), day: '2026-11-25',
      }));
      await rawColl.deleteMany({});
      const t0 = performance.now();
      await rawColl.insertMany(docs, { ordered: false });
      raw.push(GROUPS / ((performance.now() - t0) / 1000));

      await naiveColl.deleteMany({});
      const t1 = performance.now();
      for (const room of sample) {
        const botId = botOfRoom(room);
        const members = await (fleet.runner(botId) as BotRunner).say(room.id, `【naive ${r}】请勿向陌生账户转账，拨打96110咨询。`);
        await naiveColl.insertOne({ runId: `naive@${r}`, roomId: room.id, botId, status: 'sent', reach: members.length, sentAt: new Date() });
      }
      naive.push(sample.length / ((performance.now() - t1) / 1000));

      // the simulated WeChat alone: every group's say, bots in parallel as the lanes run them, no database
      const t2 = performance.now();
      await Promise.all([...roomsOfBot].map(async ([botId, roomIds]) => {
        const runner = fleet.runner(botId) as BotRunner;
        for (const roomId of roomIds) await runner.say(roomId, `【say ${r}】请勿向陌生账户转账，拨打96110咨询。`);
      }));
      sayOnly.push(GROUPS / ((performance.now() - t2) / 1000));
      world.messages.clear();

      // the least an outbox can do on this database and these puppets (no Zhimi logic): a floor for the end-to-end figure
      const l = await leastOutboxRun(store, fleet, [...world.rooms.values()].map((room) => ({ id: room.id, botId: botOfRoom(room) })), `least@${r}`, db.pid);
      least.push(GROUPS / l.sec);
      leastCpu.push({ node: l.nodeCpuSec, db: l.dbCpuSec });
      world.messages.clear();
    }
    const deliveriesPerSec = Math.round(median(zhimi));
    const rawInsertPerSec = Math.round(median(raw));
    const naivePerSec = Math.round(median(naive));
    const withRegistryReadPerSec = Math.round(median(withRead));
    const registryReadSec = Number(median(registry).toFixed(2));
    say(`registry read before the due time: ${registryReadSec} s; counting it in: ${withRegistryReadPerSec}/s`);
    say(`zhimi end to end: ${deliveriesPerSec}/s · raw insertMany: ${rawInsertPerSec}/s · naive loop: ${naivePerSec}/s`);
    say(`ratios: zhimi/raw = ${(deliveriesPerSec / rawInsertPerSec).toFixed(2)} (bar ≥ 0.33) · zhimi/naive = ${(deliveriesPerSec / naivePerSec).toFixed(1)}× (bar ≥ 10×)`);
    const runCpu = { nodeSec: Number(median(cpu.map((c) => c.node)).toFixed(2)), databaseSec: Number(median(cpu.map((c) => c.db)).toFixed(2)) };
    const sayOnlyPerSec = Math.round(median(sayOnly));
    say(`where a run's time goes: ${runCpu.nodeSec} CPU-s in this process, ${runCpu.databaseSec} CPU-s in FerretDB, on ${availableParallelism()} cores; the simulated WeChat alone (say only, no database): ${sayOnlyPerSec}/s`);
    const leastOutboxPerSec = Math.round(median(least));
    const leastOutboxCpu = { nodeSec: Number(median(leastCpu.map((c) => c.node)).toFixed(2)), databaseSec: Number(median(leastCpu.map((c) => c.db)).toFixed(2)) };
    say(`the least outbox (claimed write before each say, sent batches after, no Zhimi logic): ${leastOutboxPerSec}/s (${leastOutboxCpu.nodeSec} + ${leastOutboxCpu.databaseSec} CPU-s) · zhimi/least = ${(deliveriesPerSec / leastOutboxPerSec).toFixed(2)} · least/naive = ${(leastOutboxPerSec / naivePerSec).toFixed(1)}×`);

    // --- limited runs: LIMITED_GAP_MS between posts of each bot; violations and duplicates counted over all of them
    for (const b of bots) b.limits = { ...UNLIMITED, minGapMs: LIMITED_GAP_MS };
    const boundSec = GROUPS / (BOTS * (1000 / LIMITED_GAP_MS));
    const limitedSecs: number[] = [];
    let violations = 0;
    let duplicates = 0;
    let limitedPosts = 0;
    for (let r = 0; r < RUNS; r++) {
      await resetOutbox(store);
      // the simulated WeChat side forgets earlier runs' messages (they only grow the heap this process shares with the fleet)
      world.messages.clear();
      const before = new Map(world.bots.map((b) => [b.contactId, world.postsBy(b.contactId).length]));
      const limitedStart = Date.now();
      const lim = await zhimiRun(store, fleet, config, `limited@${r}`);
      limitedSecs.push(lim.sec);
      limitedPosts += lim.sent;
      for (const b of world.bots) {
        const times = world.postsBy(b.contactId).slice(before.get(b.contactId)).map((m) => m.timestamp).sort((x, y) => x - y);
        for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! < LIMITED_GAP_MS) violations++;
      }
      // posts of this limited run, per room: any room with two is a duplicate
      const perRoom = new Map<string, number>();
      for (const m of world.messages.values()) if (m.roomId && contactToBot.has(m.talkerId) && m.timestamp >= limitedStart) perRoom.set(m.roomId, (perRoom.get(m.roomId) ?? 0) + 1);
      for (const n of perRoom.values()) if (n > 1) duplicates += n - 1;
    }
    if (limitedPosts !== RUNS * GROUPS) throw new Error(`limited runs sent ${limitedPosts} of ${RUNS * GROUPS}`);
    const limitedSec = median(limitedSecs);
    const range = `${Math.min(...limitedSecs).toFixed(2)}–${Math.max(...limitedSecs).toFixed(2)} s`;
    say(`limited (${LIMITED_GAP_MS} ms gap per bot): ${limitedSec.toFixed(2)} s for ${GROUPS} posts (median of ${RUNS}, ${range}), bound ${boundSec.toFixed(2)} s (ratio ${(limitedSec / boundSec).toFixed(3)}), limit violations ${violations}, duplicates ${duplicates}`);
    await fleet.close();

    // --- the same pipeline over gRPC (PuppetServer and clients in this process)
    await resetOutbox(store);
    const gBots = botConfigs(GRPC_BOTS);
    const sim = await startFleetSimulator({ ref: content.ref, fleet: fleetConfig(gBots), world: { groups: GRPC_GROUPS, membersPerGroup: 4, secondBotShare: 0, seed: 8 } });
    const gFleet = new Fleet({ config: sim.fleet, store, keyer: createMemberKeyer('b'.repeat(32)), officers: NO_OFFICERS, log, clock: systemClock, channel: wechatyChannel(defaultPuppetFactory({ ...process.env, ...sim.env })), content });
    await gFleet.start();
    await registerGroups(store, worldRooms(sim.world));
    const g = await zhimiRun(store, gFleet, sim.fleet, 'grpc@1');
    const grpcPerSec = Math.round(GRPC_GROUPS / g.sec);
    say(`over gRPC (wechaty-puppet-service, ${GRPC_BOTS} bots, ${GRPC_GROUPS} groups, server and client in one process): ${grpcPerSec}/s`);
    await gFleet.close();
    await sim.stop();

    // --- over gRPC with the simulator in its own process (`zhimi sim`), as a production puppet service would be
    await resetOutbox(store);
    const sep = await startSimProcess(GRPC_GROUPS, GRPC_BOTS);
    let grpcOwnProcessPerSec = 0;
    try {
      const sepConfig = fleetConfig(testBotsFor(loadFleetConfig(paths.bots), GRPC_BOTS).bots.map((b) => ({ ...b, limits: UNLIMITED })));
      const sFleet = new Fleet({ config: sepConfig, store, keyer: createMemberKeyer('b'.repeat(32)), officers: NO_OFFICERS, log, clock: systemClock, channel: wechatyChannel(defaultPuppetFactory({ ...process.env, ...sep.env })), content });
      const started = await sFleet.start();
      if (started.failed.length) throw new Error(`bots failed against the simulator process: ${started.failed.map((f) => f.botId).join(', ')}`);
      await registerGroups(store, await discoveredRooms(sFleet, sepConfig));
      const s2 = await zhimiRun(store, sFleet, sepConfig, 'grpc-own@1');
      grpcOwnProcessPerSec = Math.round(s2.sent / s2.sec);
      say(`over gRPC (wechaty-puppet-service, ${GRPC_BOTS} bots, ${s2.sent} groups, simulator in its own process): ${grpcOwnProcessPerSec}/s`);
      await sFleet.close();
    } finally {
      await sep.stop();
    }

    const result = {
      groups: GROUPS, bots: BOTS, deliveriesPerSec, rawInsertPerSec, naivePerSec,
      limitedRunSec: Number(limitedSec.toFixed(3)), limitedBoundSec: Number(boundSec.toFixed(3)), limitViolations: violations, duplicates,
      limitedRunSecRange: [Number(Math.min(...limitedSecs).toFixed(3)), Number(Math.max(...limitedSecs).toFixed(3))],
      withRegistryReadPerSec, registryReadSec, runCpu: { ...runCpu, cores: availableParallelism() }, sayOnlyPerSec, leastOutboxPerSec, leastOutboxCpu, runs: RUNS, naiveSample: NAIVE_SAMPLE, grpc: { groups: GRPC_GROUPS, bots: GRPC_BOTS, deliveriesPerSec: grpcPerSec, simulatorInOwnProcessPerSec: grpcOwnProcessPerSec },
      peakRssMb: Math.round(process.memoryUsage().rss / 1048576),
    };
    mkdirSync(join(paths.root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(paths.root, 'bench', 'results', 'fanout.json'), JSON.stringify(result, null, 2) + '\n');
    say(`peak RSS ${result.peakRssMb} MB; wrote bench/results/fanout.json`);
  } finally {
    await store.close();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

await main();
