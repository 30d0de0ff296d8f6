/**
 * bench/report: analysts' reports at the seed's scale. Loads 69,000 groups
 * (13 districts × 4 segments, 7.1 million residents) with 30 days of posts
 * and engagement — about 7 million delivery and engagement records — into
 * the development FerretDB, writing what Zhimi writes (per-writer daily
 * counters and reach sketches, through the same repository calls) and the
 * raw events a naive report would aggregate. Then times, median of
 * BENCH_RUNS after a warm-up:
 *   - reach by segment by day for the 30 days: Zhimi's reachReport vs a naive
 *     $match/$group/$sum over the raw delivery events;
 *   - unique reach across all groups: Zhimi's sketches vs a naive $group by
 *     member key over the raw memberships.
 * Writes bench/results/report.json.
 *
 *   npm run bench:report          (BENCH_GROUPS=69000 BENCH_DAYS=30 BENCH_RUNS=5 by default)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { paths } from '../src/config/paths.js';
import { createLogger } from '../src/log/logger.js';
import { startDevDatabase } from '../src/store/dev-db.js';
import { connectStore, type Store } from '../src/store/connection.js';
import { writeTally } from '../src/store/engagement-repo.js';
import { ReachSketch } from '../src/engagement/reach-sketch.js';
import type { CounterIncrement, SketchState } from '../src/engagement/tally.js';
import { AREA_CUTS, AREA_LEVEL, ROLLED_UP, type AreaCut } from '../src/shared/counters.js';
import { reachReport, uniqueReachTotal } from '../src/reports/reports.js';
import { loadReferenceData } from '../src/config/reference.js';

const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 69_000);
const DAYS = Number(process.env['BENCH_DAYS'] ?? 30);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const RESIDENTS = Math.round((GROUPS * 7_100_000) / 69_000);
/** Records (deliveries + engagements) to load: 7 million at full scale. */
const RECORDS = Math.round((GROUPS * 7_000_000) / 69_000);
const SEGMENTS = ['elderly', 'students', 'shoppers', 'general'] as const;
const WRITERS = ['bench-w1', 'bench-w2'];
const BATCH = 10_000;
/** A naive query that takes longer than this is stopped (maxTimeMS) and recorded as at least the limit. */
const NAIVE_LIMIT_MS = Number(process.env['BENCH_NAIVE_LIMIT_S'] ?? 300) * 1000;
const log = createLogger({ level: 'warn', pretty: false });
const ref = loadReferenceData(join(paths.content, 'reference', 'fuzhou.yaml'));
const DISTRICTS = ref.districts.map((d) => d.name);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dayOf = (i: number): string => new Date(Date.UTC(2026, 9, 1 + i)).toISOString().slice(0, 10);

/** A well-mixed 32-bit hash (murmur3 finaliser). */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
const keyHi = (m: number): number => mix32(m * 2 + 1);
const keyLo = (m: number): number => mix32(m * 2 + 2 + 0x9e3779b9);
const keyHex = (m: number): string => keyHi(m).toString(16).padStart(8, '0') + keyLo(m).toString(16).padStart(8, '0');

interface Group {
  id: string;
  segment: string;
  district: string;
  first: number;
  size: number;
}

function groupsOf(): Group[] {
  const stride = RESIDENTS / GROUPS;
  return Array.from({ length: GROUPS }, (_, g) => ({
    id: createHash('sha1').update(`group-${g}`).digest('hex').slice(0, 24),
    district: DISTRICTS[g % DISTRICTS.length]!,
    segment: SEGMENTS[Math.floor(g / DISTRICTS.length) % SEGMENTS.length]!,
    first: Math.floor(g * stride),
    // a little larger than the stride: neighbouring groups share a few residents
    size: Math.max(1, Math.round(stride) + (g % 11) - 3),
  }));
}

async function insertAll(store: Store, collection: string, docs: () => Iterable<Record<string, unknown>>): Promise<number> {
  const coll = store.connection.db!.collection(collection);
  let batch: Record<string, unknown>[] = [];
  let n = 0;
  for (const d of docs()) {
    batch.push(d);
    if (batch.length >= BATCH) {
      await coll.insertMany(batch, { ordered: false });
      n += batch.length;
      batch = [];
    }
  }
  if (batch.length) await coll.insertMany(batch, { ordered: false });
  return n + batch.length;
}

async function main(): Promise<void> {
  const dataDir = join(paths.state, 'bench-report-data');
  rmSync(dataDir, { recursive: true, force: true });
  const db = await startDevDatabase({ stateDir: paths.state, dataDir, log });
  const store = await connectStore(db.uri, { dbName: 'bench_report' });
  const t0 = performance.now();
  const say = (l: string): void => void process.stdout.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${l}\n`);
  try {
    const groups = groupsOf();
    const deliveries = GROUPS * DAYS;
    const perDelivery = Math.max(0, (RECORDS - deliveries) / deliveries);
    const engagementsOf = (g: number, d: number): number => Math.floor(perDelivery + (mix32(g * 131 + d) % 1000) / 1000);
    const kinds = ['reply', 'mention', 'keyword', 'question', 'click'] as const;
    const kindOf = (g: number, d: number, k: number): (typeof kinds)[number] => kinds[mix32(g * 7 + d * 13 + k) % kinds.length]!;
    say(`report: ${GROUPS} groups, ${RESIDENTS} residents, ${DAYS} days, FerretDB ${store.server.version}`);

    // --- what Zhimi writes: counters (per writer) and sketches, through the repository
    const cells = new Map<string, Group[]>();
    for (const g of groups) {
      const key = `${g.segment}|${g.district}`;
      const list = cells.get(key) ?? [];
      list.push(g);
      cells.set(key, list);
    }
    const groupIndex = new Map(groups.map((g, i) => [g.id, i]));
    // every area cut (segment × district, segment, district, total), as the Tally writes them
    const cuts = Object.keys(AREA_CUTS) as AreaCut[];
    const cutKey = (cut: AreaCut, segment: string, district: string): [string, string] => [
      (AREA_CUTS[cut] as readonly string[]).includes('segment') ? segment : ROLLED_UP,
      (AREA_CUTS[cut] as readonly string[]).includes('district') ? district : ROLLED_UP,
    ];
    const members = new Map<string, ReachSketch>();
    const groupSketches = new Map<string, ReachSketch>();
    for (const [cell, gs] of cells) {
      const [segment, district] = cell.split('|') as [string, string];
      const sketchesOf = cuts.map((cut) => {
        const k = `${cut}|${cutKey(cut, segment, district).join('|')}`;
        if (!members.has(k)) {
          members.set(k, new ReachSketch());
          groupSketches.set(k, new ReachSketch());
        }
        return [members.get(k)!, groupSketches.get(k)!] as const;
      });
      for (const g of gs) {
        const gh = createHash('sha1').update(g.id).digest('hex');
        for (const [m, gsk] of sketchesOf) {
          for (let r = g.first; r < g.first + g.size; r++) m.addBits(keyHi(r % RESIDENTS), keyLo(r % RESIDENTS));
          gsk.add(gh);
        }
      }
    }
    say('sketches built (members of every area cut)');
    for (let d = 0; d < DAYS; d++) {
      const day = dayOf(d);
      const counters = new Map<string, CounterIncrement>();
      for (const [cell, gs] of cells) {
        const [segment, district] = cell.split('|') as [string, string];
        // the day's posts were sent by two workers: each writes its own counters
        gs.forEach((g, i) => {
          const writer = WRITERS[i % WRITERS.length]!;
          for (const cut of cuts) {
            const [sg, ds] = cutKey(cut, segment, district);
            const id = [AREA_LEVEL[cut], day, 'daily', sg, ds, writer].join('|');
            let c = counters.get(id);
            if (!c) counters.set(id, (c = { level: AREA_LEVEL[cut], id, dims: { day, campaignId: 'daily', segment: sg, district: ds, writer }, inc: {} }));
            c.inc.sent = (c.inc.sent ?? 0) + 1;
            c.inc.reach = (c.inc.reach ?? 0) + g.size;
            const gi = groupIndex.get(g.id)!;
            for (let k = 0; k < engagementsOf(gi, d); k++) {
              const kind = kindOf(gi, d, k);
              c.inc[kind] = (c.inc[kind] ?? 0) + 1;
            }
          }
        });
      }
      // one writer writes the day's sketches (per cut)
      const sketches: SketchState[] = [];
      for (const [k, m] of members) {
        const [cut, segment, district] = k.split('|') as [AreaCut, string, string];
        const dims = { day, campaignId: 'daily', segment, district, writer: WRITERS[0]! };
        sketches.push({ id: ['members', cut, day, 'daily', segment, district, WRITERS[0]].join('|'), cut, kind: 'members', dims, doc: m.toDoc() });
        sketches.push({ id: ['groups', cut, day, 'daily', segment, district, WRITERS[0]].join('|'), cut, kind: 'groups', dims, doc: groupSketches.get(k)!.toDoc() });
      }
      await writeTally(store, { events: [], counters: [...counters.values()], sketches });
    }
    say(`area counters and sketches written (${await store.models.Counters.area.countDocuments()} counter documents)`);
    await insertAll(store, 'counters_group', function* () {
      for (let d = 0; d < DAYS; d++) {
        for (const g of groups) {
          const gi = groupIndex.get(g.id)!;
          const doc: Record<string, unknown> = { _id: ['group', dayOf(d), 'daily', g.id, WRITERS[gi % 2]].join('|'), day: dayOf(d), campaignId: 'daily', groupId: g.id, writer: WRITERS[gi % 2], sent: 1, reach: g.size, reply: 0, mention: 0, keyword: 0, question: 0, click: 0 };
          for (let k = 0; k < engagementsOf(gi, d); k++) (doc[kindOf(gi, d, k)] as number)++;
          yield doc;
        }
      }
    });
    say('group counters written');

    // --- the raw events a naive report aggregates
    const nDeliveries = await insertAll(store, 'raw_deliveries', function* () {
      for (let d = 0; d < DAYS; d++) for (const g of groups) yield { day: dayOf(d), groupId: g.id, segment: g.segment, district: g.district, campaignId: 'daily', reach: g.size };
    });
    say(`raw deliveries: ${nDeliveries}`);
    const nEngagements = await insertAll(store, 'raw_engagements', function* () {
      for (let d = 0; d < DAYS; d++) {
        for (const [gi, g] of groups.entries()) {
          for (let k = 0; k < engagementsOf(gi, d); k++) yield { day: dayOf(d), groupId: g.id, segment: g.segment, district: g.district, kind: kindOf(gi, d, k), memberKey: keyHex((g.first + (k % g.size)) % RESIDENTS) };
        }
      }
    });
    say(`raw engagements: ${nEngagements}`);
    const nMemberships = await insertAll(store, 'raw_memberships', function* () {
      for (const g of groups) for (let r = g.first; r < g.first + g.size; r++) yield { groupId: g.id, memberKey: keyHex(r % RESIDENTS) };
    });
    say(`raw memberships: ${nMemberships}`);
    const distinct = new Set<string>();
    for (const g of groups) for (let r = g.first; r < g.first + g.size; r++) distinct.add(keyHex(r % RESIDENTS));
    const trueUnique = distinct.size;
    distinct.clear();

    // --- the queries
    const period = { from: dayOf(0), to: dayOf(DAYS - 1) };
    const timedOut: string[] = [];
    const time = async (f: () => Promise<unknown>, name = ''): Promise<number> => {
      const t = performance.now();
      try {
        await f();
      } catch (err) {
        if (!name) throw err;
        timedOut.push(name);
        say(`${name} stopped after ${((performance.now() - t) / 1000).toFixed(0)} s: ${(err as Error).message}`);
      }
      return performance.now() - t;
    };
    const rawDeliveries = store.connection.db!.collection('raw_deliveries');
    const rawMemberships = store.connection.db!.collection('raw_memberships');
    let zhimiRows = 0;
    let zhimiUnique = 0;
    let naiveUnique = 0;
    const zhimiReach = async (): Promise<void> => {
      zhimiRows = (await reachReport(store, { ...period, by: ['segment', 'day'] })).length;
    };
    const naiveReach = async (): Promise<void> => {
      // the same figures from raw events: deliveries and reach per segment and day (one $sum per pipeline, as FerretDB v1 needs)
      await Promise.all(['deliveries', 'reach'].map((m) => rawDeliveries.aggregate([{ $match: { day: { $gte: period.from, $lte: period.to } } }, { $group: { _id: { segment: '$segment', day: '$day' }, v: { $sum: m === 'reach' ? '$reach' : 1 } } }], { maxTimeMS: NAIVE_LIMIT_MS }).toArray()));
    };
    const zhimiUniqueQ = async (): Promise<void> => {
      zhimiUnique = (await uniqueReachTotal(store, period)).members;
    };
    const naiveUniqueQ = async (): Promise<void> => {
      const r = await rawMemberships.aggregate([{ $group: { _id: '$memberKey' } }, { $group: { _id: null, n: { $sum: 1 } } }], { allowDiskUse: true, maxTimeMS: NAIVE_LIMIT_MS }).toArray();
      naiveUnique = Number(r[0]?.['n'] ?? 0);
    };
    await zhimiReach();
    await zhimiUniqueQ();
    const reachMs = [];
    const uniqueMs = [];
    for (let i = 0; i < RUNS; i++) {
      reachMs.push(await time(zhimiReach));
      uniqueMs.push(await time(zhimiUniqueQ));
    }
    say(`zhimi: reach by segment by day ${median(reachMs).toFixed(0)} ms (${zhimiRows} rows), unique reach ${median(uniqueMs).toFixed(0)} ms (${zhimiUnique} vs true ${trueUnique})`);
    const naiveRuns = Number(process.env['BENCH_NAIVE_RUNS'] ?? 1);
    const naiveReachMs = [];
    const naiveUniqueMs = [];
    for (let i = 0; i < naiveRuns; i++) naiveReachMs.push(await time(naiveReach, 'naiveReachBySegmentDay'));
    say(`naive reach by segment by day ${median(naiveReachMs).toFixed(0)} ms`);
    for (let i = 0; i < naiveRuns; i++) naiveUniqueMs.push(await time(naiveUniqueQ, 'naiveUniqueReach'));
    say(`naive unique reach ${median(naiveUniqueMs).toFixed(0)} ms (${naiveUnique})`);
    const result = {
      groups: GROUPS,
      records: nDeliveries + nEngagements,
      reachBySegmentDayMs: Math.round(median(reachMs)),
      uniqueReachMs: Math.round(median(uniqueMs)),
      naiveReachBySegmentDayMs: Math.round(median(naiveReachMs)),
      naiveUniqueReachMs: Math.round(median(naiveUniqueMs)),
      residents: RESIDENTS,
      memberships: nMemberships,
      days: DAYS,
      uniqueReachEstimate: zhimiUnique,
      uniqueReachTrue: trueUnique,
      uniqueReachError: Number(((zhimiUnique - trueUnique) / trueUnique).toFixed(4)),
      naiveUniqueReach: naiveUnique,
      runs: RUNS,
      naiveRuns,
      /** Naive queries stopped at the limit: their figure is a lower bound. */
      naiveStoppedAtLimit: timedOut,
      naiveLimitMs: NAIVE_LIMIT_MS,
      database: `FerretDB ${store.server.version} (SQLite)`,
    };
    if (!process.env['BENCH_NO_WRITE']) {
      mkdirSync(join(paths.root, 'bench', 'results'), { recursive: true });
      writeFileSync(join(paths.root, 'bench', 'results', 'report.json'), JSON.stringify(result, null, 2) + '\n');
    }
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await store.close();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
