/**
 * The seed of bench/console: a Fuzhou-sized installation written through
 * Zhimi's own write functions, so every document has the shape the workers,
 * the API and the CLI give it.
 *
 * - groups: 69,000 rooms registered as a bot's look around registers them
 *   (`registerSeenGroups`: 64 keyed members sampled per group), then tagged,
 *   paused or left with the fields `tagGroup` / `setGroupPaused` /
 *   `removeBotFromGroup` set (one bulk update by `_id` per 50 groups: the
 *   per-group functions read the whole registry on FerretDB, hours at this size);
 * - users through `addUser`, campaigns and their versions through
 *   `submitCampaign` / `reviewCampaign`;
 * - today's runs planned by `planRun` into the outbox (`planOutbox`), then
 *   claimed and sent (`claimDeliveries`, sent batches through `insertEvents`);
 * - 30 days of counters exactly as a worker's recorder writes them: its
 *   `Tally` folds sent units and engagement units, `takeFlush`, and
 *   `writeTallyFlush` (area, post and group levels, reach sketches), one
 *   session per worker process, workers restarted weekly;
 * - tips through `insertTip`, judged by the scam check on the evaluation texts;
 * - bots, leases and workers as running workers write them.
 */
import { createHash } from 'node:crypto';
import { seededRandom } from '../src/sim/random.js';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../src/app/context.js';
import { addUser, LOCAL_OPERATOR } from '../src/app/users.js';
import { reviewCampaign, submitCampaign } from '../src/app/campaigns.js';
import { loadScamCheck } from '../src/scamcheck/desk.js';
import { maskText } from '../src/scamcheck/mask.js';
import { paths } from '../src/config/paths.js';
import { shanghaiDay, shiftDay } from '../src/config/clock.js';
import type { ReferenceData } from '../src/config/reference.js';
import type { Post } from '../src/content/post-schema.js';
import type { Store } from '../src/store/connection.js';
import { registerSeenGroups, tagGroup } from '../src/store/groups-repo.js';
import { insertUnique } from '../src/store/once.js';
import { randomUUID } from 'node:crypto';
import { inChunks } from '../src/store/bulk.js';
import { insertTip } from '../src/store/tips-repo.js';
import { closeTallySession, openTallySession, writeTallyFlush } from '../src/store/engagement-repo.js';
import { createRun, closeRuns, recordPlan, runId as runIdOf } from '../src/store/runs-repo.js';
import { heartbeats } from '../src/store/bots-repo.js';
import { announceWorker } from '../src/store/workers-repo.js';
import { holdBotLease } from '../src/store/leases-repo.js';
import { getCampaign, getVersion } from '../src/store/campaigns-repo.js';
import { Types } from 'mongoose';
import { claimDeliveries, insertEvents, loadDeliveries } from '../src/outbox/outbox.js';
import { outcomeEvent } from '../src/outbox/events.js';
import { planOutbox } from '../src/outbox/plan-outbox.js';
import { planRun, sendOrder } from '../src/campaigns/plan-run.js';
import { loadCampaignFile } from '../src/campaigns/campaign-files.js';
import { resolveCampaignPosts } from '../src/campaigns/resolve-posts.js';
import type { CampaignDefinition } from '../src/campaigns/campaign-schema.js';
import { Tally, type TallyTarget } from '../src/engagement/tally.js';
import { primarySegment } from '../src/engagement/recorder.js';
import type { EngagementKind } from '../src/shared/counters.js';
import { joinSample, sampleKeys, type GroupRecord, type SeenGroup, type Segment } from '../src/shared/groups.js';
import type { DeliveryState } from '../src/outbox/delivery-state.js';
import type { Actor } from '../src/shared/permissions.js';

export const PASSWORD = 'correct horse battery staple of the bench';

/** The people of the seed (the bench signs in as the first three). */
export const PEOPLE = {
  analyst: { id: 'zheng.city', name: '郑科长', roles: ['analyst'] },
  district: { id: 'wang.gulou', name: '王警官', roles: ['drafter'], scope: '鼓楼区' },
  admin: { id: 'bench.admin', name: '管理员', roles: ['admin'] },
  drafter: { id: 'lin.city', name: '林警官', roles: ['drafter'] },
  reviewer: { id: 'huang.city', name: '黄科长', roles: ['reviewer'] },
} as const;

const city = { kind: 'city' } as const;
const DRAFTER: Actor = { id: PEOPLE.drafter.id, name: PEOPLE.drafter.name, roles: ['drafter'], scope: city, via: 'session' };
const REVIEWER: Actor = { id: PEOPLE.reviewer.id, name: PEOPLE.reviewer.name, roles: ['reviewer'], scope: city, via: 'session' };
const GULOU: Actor = { id: PEOPLE.district.id, name: PEOPLE.district.name, roles: ['drafter'], scope: { kind: 'district', district: '鼓楼区' }, via: 'session' };

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const hash32 = (s: string): number => createHash('sha1').update(s).digest().readUInt32BE(0);

/** Roughly each district's share of Fuzhou's population (groups follow people). */
const DISTRICT_WEIGHT: Record<string, number> = {
  鼓楼区: 9, 台江区: 6, 仓山区: 11, 晋安区: 10, 马尾区: 4, 长乐区: 7, 福清市: 15, 闽侯县: 10, 连江县: 7, 罗源县: 3, 闽清县: 3, 永泰县: 3, 平潭县: 4,
};
/** Segment shares and member counts (WeChat groups hold at most 500). */
const SEGMENT_MIX: { segment: Segment; share: number; min: number; max: number }[] = [
  { segment: 'elderly', share: 0.3, min: 30, max: 450 },
  { segment: 'students', share: 0.12, min: 60, max: 500 },
  { segment: 'shoppers', share: 0.25, min: 80, max: 500 },
  { segment: 'general', share: 0.33, min: 40, max: 500 },
];
const COMMUNITIES = ['金山', '红星', '福新', '湖前', '东浦', '鹤林', '温泉', '军门', '三坊', '洪山', '岳峰', '象园', '上渡', '建新', '城门', '盖山', '螺洲', '南江滨', '阳光', '融侨', '榕城', '闽江', '龙津', '玉屏', '凤凰', '光明', '新华', '桂湖', '振兴', '和平'];

export interface SeedGroup {
  roomId: string;
  topic: string;
  district: string;
  station: string;
  segments: Segment[];
  memberCount: number;
  status: 'active' | 'pending' | 'paused' | 'left';
  botIds: string[];
  /** First resident number of its members (neighbouring groups share residents). */
  first: number;
}

/** The registry's groups: district by population, segment mix, status mix, names that say what they are. */
export function seedGroups(ref: ReferenceData, n: number, botIds: readonly string[]): SeedGroup[] {
  const r = seededRandom(2026);
  const districts = ref.districts.map((d) => ({ ...d, w: DISTRICT_WEIGHT[d.name] ?? 4 }));
  const wSum = districts.reduce((a, d) => a + d.w, 0);
  const counters = new Map<string, number>();
  const unique = (base: string): string => {
    const k = (counters.get(base) ?? 0) + 1;
    counters.set(base, k);
    return `${base}${k}群`;
  };
  const out: SeedGroup[] = [];
  let resident = 0;
  for (let i = 0; i < n; i++) {
    let x = r() * wSum;
    const d = districts.find((dd) => (x -= dd.w) < 0) ?? districts.at(-1)!;
    let y = r();
    const mix = SEGMENT_MIX.find((m) => (y -= m.share) < 0) ?? SEGMENT_MIX.at(-1)!;
    const street = pick(r, d.streets);
    const station = pick(r, d.stations);
    const memberCount = Math.round(mix.min + (mix.max - mix.min) * r() ** 1.6);
    const s = r();
    const status = s < 0.88 ? 'active' : s < 0.95 ? 'pending' : s < 0.98 ? 'paused' : 'left';
    const community = pick(r, COMMUNITIES);
    let topic: string;
    if (status === 'pending' && r() < 0.3) topic = unique(`邻里互助`); // a name that suggests nothing
    else if (status === 'pending') topic = unique(`${d.name}${street}${community}小区${mix.segment === 'elderly' ? '老年' : mix.segment === 'students' ? '学生' : mix.segment === 'shoppers' ? '团购' : '居民'}`);
    else if (mix.segment === 'elderly') topic = unique(`${d.name}${street}${community}社区${pick(r, ['老年反诈', '长者防骗', '银发平安'])}`);
    else if (mix.segment === 'students') topic = unique(`${pick(r, ref.universities).name}${2022 + Math.floor(r() * 4)}级${pick(r, ['反诈', '新生防骗', '宿舍平安'])}`);
    else if (mix.segment === 'shoppers') topic = unique(`${street}${community}${pick(r, ['社区团购', '拼单', '商户'])}`);
    else topic = unique(`${street}${community}社区${pick(r, ['平安', '居民反诈', '警民联系'])}`);
    const segments: Segment[] = [mix.segment];
    if (mix.segment === 'elderly' && r() < 0.15) segments.push('general');
    if (mix.segment === 'general' && r() < 0.08) segments.push('shoppers');
    const b = Math.floor(r() * botIds.length);
    const bots = [botIds[b]!];
    if (r() < 0.3) bots.push(botIds[(b + 1) % botIds.length]!);
    out.push({ roomId: `${1_000_000_000 + i}@chatroom`, topic, district: d.name, station, segments, memberCount, status, botIds: status === 'left' ? [] : bots, first: resident });
    resident += Math.max(1, memberCount - Math.floor(memberCount / 10)); // a tenth of each group's members are also in the previous one
  }
  return out;
}

/** A resident's member key (the shape of `memberKey`: 22 base64url characters of an HMAC). */
export const residentKey = (n: number): string => createHash('sha256').update(`bench-resident-${n}`).digest('base64url').slice(0, 22);
/** The keys of a group's members the seed uses: the registry's sample (64) and the sketches' (16). */
const memberKeysOf = (g: SeedGroup, k: number): string[] => Array.from({ length: Math.min(k, g.memberCount) }, (_, j) => residentKey(g.first + j));

const seenOf = (g: SeedGroup): SeenGroup => ({ roomId: g.roomId, topic: g.topic, memberCount: g.memberCount, botId: g.botIds[0] ?? 'bench-001', sample: joinSample(memberKeysOf(g, 64).sort()) });

/** Field names of a stored document, sorted (to compare what the seed wrote with what Zhimi's own functions write). */
export const fieldsOf = (doc: object | null | undefined): string => Object.keys(doc ?? {}).sort().join(',');

/**
 * The first `real` groups go the way a running fleet writes them, while the
 * registry is small: a bot's look registers them (`registerSeenGroups`) and
 * an officer tags them (`tagGroup`). Every function that writes a group
 * reads the whole registry on FerretDB (a read of 69,000 groups takes a
 * minute here; an update by `_id` hundreds of milliseconds), so the others
 * are inserted as those functions leave them: the registration's fields
 * (`registerSeenGroups`: 64 keyed members sampled) with the tag's
 * (`tagGroup`: district, station, segments, status, taggedBy, rev), a paused
 * group's status (`setGroupPaused`), a left one's (`removeBotFromGroup`).
 * Throws unless both ways give documents with the same fields.
 */
export async function writeRealGroups(store: Store, groups: readonly SeedGroup[], now: Date, real: number): Promise<SeedGroup[]> {
  const picked = groups.filter((g) => g.status === 'active').slice(0, real);
  await registerSeenGroups(store, picked.map(seenOf), now, []);
  for (const g of picked) await tagGroup(store, g.roomId, { district: g.district, station: g.station, segments: g.segments, taggedBy: PEOPLE.drafter.id });
  return picked;
}

export async function writeGroups(store: Store, groups: readonly SeedGroup[], now: Date, real: readonly SeedGroup[]): Promise<{ records: GroupRecord[]; fields: string }> {
  const realRooms = new Set(real.map((g) => g.roomId));
  const records: GroupRecord[] = [];
  let sample: Types.ObjectId | undefined;
  for (const chunk of inChunks(groups.filter((g) => !realRooms.has(g.roomId)), 2_000)) {
    const docs = chunk.map((g) => {
      const _id = new Types.ObjectId();
      const tagged = g.status !== 'pending';
      const doc: Record<string, unknown> & { _id: Types.ObjectId } = {
        _id, roomId: g.roomId, topic: g.topic, memberCount: g.memberCount, memberSample: sampleKeys(seenOf(g).sample), botIds: g.botIds,
        status: g.status, joinedAt: now, segments: tagged ? g.segments : [], tags: [], previousRoomIds: [], createdAt: now, updatedAt: now,
        ...(tagged ? { district: g.district, station: g.station, taggedBy: PEOPLE.drafter.id, rev: createHash('sha1').update(g.roomId).digest('hex') } : {}),
        ...(g.status === 'left' ? { leftAt: now } : {}),
      };
      if (!sample && g.status === 'active') sample = _id;
      records.push({ id: String(_id), roomId: g.roomId, topic: g.topic, district: tagged ? g.district : undefined, station: tagged ? g.station : undefined, segments: tagged ? g.segments : [], tags: [], memberCount: g.memberCount, botIds: g.botIds, status: g.status });
      return doc;
    });
    await insertUnique(store.models.Group, docs);
  }
  for (const g of real) {
    const doc = await store.models.Group.findOne({ roomId: g.roomId }).lean();
    records.push({ id: String(doc!._id), roomId: g.roomId, topic: g.topic, district: g.district, station: g.station, segments: g.segments, tags: [], memberCount: g.memberCount, botIds: doc!.botIds, status: 'active' });
  }
  const realDoc = await store.models.Group.findOne({ roomId: real[0]!.roomId }).lean();
  const seededDoc = await store.models.Group.findOne({ _id: sample }).lean();
  const a = fieldsOf(realDoc);
  const b = fieldsOf(seededDoc);
  if (a !== b) throw new Error(`a seeded group's fields differ from a registered and tagged one's:\n  ${b}\n  ${a}`);
  return { records, fields: a };
}

/** A fleet of `n` bots in a bots folder of its own (the shipped fleet.yaml, bench-NNN.yaml per bot). */
export function writeBotsDir(dir: string, n: number): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fleet.yaml'), readFileSync(join(paths.bots, 'fleet.yaml'), 'utf8'));
  const ids = Array.from({ length: n }, (_, i) => `bench-${String(i + 1).padStart(3, '0')}`);
  ids.forEach((id, i) => writeFileSync(join(dir, `${id}.yaml`), `id: ${id}\nname: 反诈宣传员${i + 1}\npuppet:\n  name: wechaty-puppet-service\n  endpoint: 127.0.0.1:${9000 + i}\n  tokenEnv: ZHIMI_BOT_BENCH${String(i + 1).padStart(3, '0')}_TOKEN\n`));
  return ids;
}

/** Workers alive with their bots online: what a running fleet keeps writing (every tick). */
export async function fleetAlive(store: Store, workers: readonly string[], botIds: readonly string[], now: Date): Promise<void> {
  const per = Math.ceil(botIds.length / workers.length);
  for (const [w, worker] of workers.entries()) {
    const mine = botIds.slice(w * per, (w + 1) * per);
    await announceWorker(store, { workerId: worker, held: mine.length, failing: [], until: new Date(now.getTime() + 10_000), now, everyMs: 2_000 });
    for (const b of mine) await holdBotLease(store, b, worker, 10_000, now);
    await heartbeats(store, worker, now, mine.map((botId, i) => ({ botId, backoff: { factor: i === 0 && w === 0 ? 2 : 1, cooldownUntil: i === 0 && w === 0 ? now.getTime() + 60_000 : 0 } })));
  }
}

/** Users as the server's operator adds them. */
export async function writeUsers(ctx: AppContext): Promise<void> {
  for (const p of Object.values(PEOPLE)) await addUser(ctx, LOCAL_OPERATOR, { id: p.id, name: p.name, roles: [...p.roles], ...('scope' in p ? { scope: p.scope } : {}), password: PASSWORD });
}

const campaignFile = (id: string): string => join(paths.content, 'campaigns', `${id}.yaml`);

/** The four shipped campaigns submitted and approved, two of them edited and approved again, one edit waiting for review, and a district's own campaign. */
export async function writeCampaigns(ctx: AppContext): Promise<number> {
  let versions = 0;
  const submit = async (actor: Actor, yaml: string, source: string): Promise<{ id: string; version: number }> => {
    const r = await submitCampaign(ctx, actor, { yaml, source });
    if (r.errors.length) throw new Error(`${source}: ${r.errors.join('; ')}`);
    versions++;
    return { id: r.id, version: r.version };
  };
  const approve = async (s: { id: string; version: number }): Promise<void> => void (await reviewCampaign(ctx, REVIEWER, s.id, { version: s.version, approve: true }));
  const text = (id: string): string => readFileSync(campaignFile(id), 'utf8');
  for (const id of ['community-weekly', 'double11-shoppers', 'elderly-weekly', 'students-term']) await approve(await submit(DRAFTER, text(id), campaignFile(id)));
  await approve(await submit(DRAFTER, text('elderly-weekly').replace('name: 长者防骗每周提醒', 'name: 长者防骗每周提醒（冬季）'), 'the console'));
  await approve(await submit(DRAFTER, text('double11-shoppers').replace('until: 2026-12-15', 'until: 2026-12-20'), 'the console'));
  await submit(DRAFTER, text('community-weekly').replace('name: 社区居民反诈周报', 'name: 社区居民反诈周报（年末版）'), 'the console');
  const gulou = text('elderly-weekly').replace('id: elderly-weekly', 'id: gulou-elderly').replace('name: 长者防骗每周提醒', 'name: 鼓楼区长者防骗').replace('districts: [all]', 'districts: [鼓楼区]');
  await approve(await submit(GULOU, gulou, 'the console'));
  return versions;
}

/** The shipped campaigns' schedules as the counters see them: which run on a day (Asia/Shanghai weekday) and when. */
const SCHEDULE: { id: string; segment: Segment; hour: string; days: number[] }[] = [
  { id: 'double11-shoppers', segment: 'shoppers', hour: '19:30', days: [0, 1, 2, 3, 4, 5, 6] },
  { id: 'elderly-weekly', segment: 'elderly', hour: '10:00', days: [2, 5] },
  { id: 'students-term', segment: 'students', hour: '19:30', days: [1, 4] },
  { id: 'community-weekly', segment: 'general', hour: '18:00', days: [3] },
];
const weekdayOf = (day: string): number => new Date(`${day}T12:00:00+08:00`).getUTCDay();

export interface TodayRuns {
  closed: string;
  inProgress: string;
  /** Deliveries of each run and how the in-progress one stands. */
  counts: Record<string, Record<string, number>>;
  /** Posts sent today: the campaign, the group and the post, for today's counters. */
  sent: { campaignId: string; groupId: string; postId: string; botId: string }[];
  /** A delivery of the run in progress (to time a read by `_id`). */
  sampleDeliveryId: string;
}

/**
 * Today's runs through the planner: the elderly campaign's 10:00 run, sent
 * in full and closed; the shoppers' 19:30 run, `sentShare` of it sent by
 * `at`, one post per bot in hand, the rest planned.
 */
export async function writeTodayRuns(ctx: AppContext, store: Store, groups: readonly GroupRecord[], onlineBotIds: ReadonlySet<string>, today: string, at: Date, sentShare = 0.62): Promise<TodayRuns> {
  const content = ctx.content();
  const fleet = ctx.fleet();
  const sent: TodayRuns['sent'] = [];
  const counts: TodayRuns['counts'] = {};
  const memberCount = new Map(groups.map((g) => [g.id, g.memberCount]));
  let sample = '';
  const run = async (id: string, hour: string, share: number, closeAt?: Date): Promise<string> => {
    const def: CampaignDefinition = loadCampaignFile(campaignFile(id)).def;
    const scheduledAt = new Date(`${today}T${hour}:00+08:00`);
    const rid = runIdOf(id, scheduledAt);
    const c = await getCampaign(store, id);
    const hash = (c?.approvedVersion && (await getVersion(store, id, c.approvedVersion))?.definitionHash) || 'bench';
    await createRun(store, id, scheduledAt, 'worker-a', scheduledAt, hash);
    await planRun({ store, outbox: planOutbox(store), runId: rid, campaign: def, contentHash: hash, scheduledAt, library: ctx.library(), ref: content.ref, fleet, onlineBotIds, now: scheduledAt, groups });
    const states = await loadDeliveries(store, { runIds: [rid] });
    await recordPlan(store, rid, states.filter((s) => s.status !== 'skipped').length, states.filter((s) => s.status === 'skipped').length, new Date(scheduledAt.getTime() + 2_000));
    const planned = sendOrder(states.filter((s) => s.status === 'planned'), (s) => s.botId, (s) => s.notBefore.getTime());
    sent.push(...(await sendDeliveries(store, planned, { share, start: scheduledAt, end: closeAt ?? at, memberCount, inHandAt: share < 1 ? at : undefined })));
    if (closeAt) await closeRuns(store, [rid], closeAt);
    const after = await loadDeliveries(store, { runIds: [rid] });
    sample = after[0]?.id ?? sample;
    counts[rid] = {};
    for (const s of after) counts[rid][s.status] = (counts[rid][s.status] ?? 0) + 1;
    return rid;
  };
  const closed = await run('elderly-weekly', '10:00', 1, new Date(`${today}T10:47:00+08:00`));
  const inProgress = await run('double11-shoppers', '19:30', sentShare);
  return { closed, inProgress, counts, sent, sampleDeliveryId: sample };
}

const WORKERS = ['worker-a', 'worker-b', 'worker-c'];
const workerOfBot = (botId: string): string => WORKERS[hash32(botId) % WORKERS.length]!;

/**
 * Send `share` of planned deliveries (in send order) between `start` and
 * `end` as the workers record it: claimed (claim events), then the outcomes
 * in sent batches per bot (one in 300 failed); with `inHandAt`, the next
 * one of every bot claimed then (being sent). Returns the posts sent.
 */
export async function sendDeliveries(store: Store, planned: readonly DeliveryState[], o: { share: number; start: Date; end: Date; memberCount: ReadonlyMap<string, number>; inHandAt?: Date | undefined }): Promise<TodayRuns['sent']> {
  const sent: TodayRuns['sent'] = [];
  const nSent = Math.floor(planned.length * o.share);
  const span = Math.max(1, o.end.getTime() - o.start.getTime() - 5_000);
  let done = 0;
  for (const chunk of inChunks(planned.slice(0, nSent), 500)) {
    const t = new Date(o.start.getTime() + 1_000 + Math.floor((done / Math.max(1, nSent)) * span));
    const claimed: DeliveryState[] = [];
    for (const worker of WORKERS) claimed.push(...(await claimDeliveries(store, chunk.filter((s) => workerOfBot(s.botId) === worker), { workerId: worker, leaseMs: 120_000, now: t })));
    const events = claimed.map((s, i) => {
      const sentAt = new Date(t.getTime() + Math.floor(((i + 1) / claimed.length) * (span * (chunk.length / Math.max(1, nSent)))));
      const failed = hash32(s.id) % 300 === 0;
      if (!failed) sent.push({ campaignId: s.campaignId, groupId: s.groupId, postId: s.postId, botId: s.botId });
      return outcomeEvent(s, failed ? { status: 'failed', reason: 'not posted: the puppet service refused the message (bench)' } : { status: 'sent', reach: o.memberCount.get(s.groupId) ?? 0, sentAt, day: shanghaiDay(sentAt) }, workerOfBot(s.botId), sentAt);
    });
    await insertEvents(store, events);
    done += chunk.length;
  }
  if (o.inHandAt) {
    const inHand = new Map<string, DeliveryState>();
    for (const s of planned.slice(nSent)) if (!inHand.has(s.botId)) inHand.set(s.botId, s);
    for (const worker of WORKERS) await claimDeliveries(store, [...inHand.values()].filter((s) => workerOfBot(s.botId) === worker), { workerId: worker, leaseMs: 120_000, now: o.inHandAt });
  }
  return sent;
}

export interface CounterSeed {
  posts: number;
  engagements: number;
  flushes: number;
  sessions: number;
}

const KINDS: { kind: EngagementKind; rate: number }[] = [
  { kind: 'reply', rate: 0.5 }, { kind: 'mention', rate: 0.3 }, { kind: 'keyword', rate: 0.9 }, { kind: 'question', rate: 0.2 }, { kind: 'click', rate: 0.35 },
];
/** Engagement units a worker writes per day (a unit is one write of engagement events; a group's events of a day fall in a few). */
const ENGAGEMENT_UNITS_PER_DAY = 3;

/**
 * `days` days of counters up to `today`, as the workers' recorders write
 * them: each day's posts of the shipped campaigns (today's: the posts sent
 * by today's runs) counted by the worker whose bot sent them, in sent units
 * per run and engagement units through the day, flushed by
 * `writeTallyFlush`. Each worker process counts in its own session (its
 * counter documents' writer); workers restart weekly.
 */
export async function writeCounters(store: Store, groups: readonly GroupRecord[], seeds: ReadonlyMap<string, SeedGroup>, library: readonly Post[], today: string, days: number, todaySent: TodayRuns['sent'], say: (l: string) => void): Promise<CounterSeed> {
  const workers = ['worker-a', 'worker-b', 'worker-c'];
  const workerOf = (botId: string): string => workers[hash32(botId) % workers.length]!;
  const active = groups.filter((g) => g.status === 'active' && g.district);
  const bySegment = new Map<string, GroupRecord[]>();
  for (const g of active) (bySegment.get(primarySegment(g)) ?? bySegment.set(primarySegment(g), []).get(primarySegment(g))!).push(g);
  const byId = new Map(groups.map((g) => [g.id, g]));
  const postsOf = new Map(SCHEDULE.map((s) => {
    const def = loadCampaignFile(campaignFile(s.id)).def;
    return [s.id, resolveCampaignPosts(def, library).posts.map((p) => p.id)];
  }));
  const out: CounterSeed = { posts: 0, engagements: 0, flushes: 0, sessions: 0 };
  const sessions = new Map<string, { tally: Tally; id: string; s: number; e: number; known: Set<string> }>();
  const sessionOf = async (worker: string, week: number, at: Date) => {
    const key = `${worker}#${week}`;
    let s = sessions.get(key);
    if (!s) {
      for (const [k, old] of sessions) if (k.startsWith(`${worker}#`)) {
        await closeTallySession(store, old.id, at, undefined, { f: 0, sUpTo: old.s, eUpTo: old.e });
        sessions.delete(k);
      }
      const id = `${worker}~${createHash('sha1').update(key).digest('hex').slice(0, 8)}`;
      s = { tally: new Tally(id), id, s: 0, e: 0, known: new Set() };
      sessions.set(key, s);
      await openTallySession(store, { _id: id, writer: worker, exitAfterMs: 300_000, at });
      out.sessions++;
    }
    return s;
  };
  for (let d = 0; d < days; d++) {
    const day = shiftDay(today, d - (days - 1));
    const week = Math.floor((d + 3) / 7);
    const dayAt = new Date(`${day}T23:59:00+08:00`);
    // the posts of the day: (campaign, group, post, bot)
    const posts: { campaignId: string; group: GroupRecord; postId: string; botId: string }[] = [];
    if (day === today) {
      for (const p of todaySent) posts.push({ campaignId: p.campaignId, group: byId.get(p.groupId)!, postId: p.postId, botId: p.botId });
    } else {
      for (const s of SCHEDULE) {
        if (!s.days.includes(weekdayOf(day))) continue;
        const ids = postsOf.get(s.id)!;
        for (const g of bySegment.get(s.segment) ?? []) {
          const h = hash32(`${g.id}|${day}|${s.id}`);
          if (h % 250 === 0) continue; // failed or skipped: not counted
          posts.push({ campaignId: s.id, group: g, postId: ids[h % ids.length]!, botId: g.botIds[h % Math.max(1, g.botIds.length)] ?? 'bench-001' });
        }
      }
    }
    for (const worker of workers) {
      const mine = posts.filter((p) => workerOf(p.botId) === worker);
      if (!mine.length) continue;
      const sess = await sessionOf(worker, week, dayAt);
      const target = (p: (typeof mine)[number]): TallyTarget => ({ day, campaignId: p.campaignId, postId: p.postId, groupId: p.group.id, segment: primarySegment(p.group), district: p.group.district ?? '' });
      // sent units: one per campaign's run (its sent batches), members as the bot saw them (16 keyed members into the sketches, reach the member count)
      for (const campaignId of new Set(mine.map((p) => p.campaignId))) {
        sess.tally.foldSent({ kind: 's', seq: ++sess.s }, mine.filter((p) => p.campaignId === campaignId).map((p) => ({ target: target(p), reach: p.group.memberCount, memberKeys: memberKeysOf(seeds.get(p.group.roomId)!, 16) })));
      }
      // engagement: about 2.3 per post for a group of 200 members, spread over the day's engagement units
      const units: { target: TallyTarget; kind: EngagementKind }[][] = Array.from({ length: ENGAGEMENT_UNITS_PER_DAY }, () => []);
      for (const p of mine) {
        const scale = p.group.memberCount / 200;
        for (const k of KINDS) {
          const h = hash32(`${p.group.id}|${day}|${k.kind}`);
          const n = Math.floor(k.rate * scale + (h % 1000) / 1000);
          for (let j = 0; j < n; j++) units[(h + j * 7) % ENGAGEMENT_UNITS_PER_DAY]!.push({ target: target(p), kind: k.kind });
          out.engagements += n;
        }
      }
      for (const u of units) if (u.length) sess.tally.foldEngagements({ kind: 'e', seq: ++sess.e }, u);
      const flush = sess.tally.takeFlush();
      if (flush) {
        await writeTallyFlush(store, flush, sess.known);
        out.flushes++;
      }
      sess.tally.forgetBefore(shiftDay(day, 1));
      out.posts += mine.length;
    }
    if (d % 5 === 4 || d === days - 1) say(`  counters: day ${d + 1}/${days} (${day}), ${out.posts} posts, ${out.engagements} engagements so far`);
  }
  return out;
}

/**
 * `perDay` scam-check tips a day for `days` days up to `at` (today's until
 * `at`), with a wave of one type in one district today; each text judged by
 * the scam check as the desk judges it and masked as the desk masks it.
 */
export async function writeTips(ctx: AppContext, store: Store, today: string, days: number, perDay: number, at: Date): Promise<{ tips: number; spike: { district: string; type: string; today: number } }> {
  const texts = readFileSync(join(paths.root, 'test', 'fixtures', 'scamcheck', 'eval.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
  const { judge } = loadScamCheck(ctx.contentDir);
  const judged = texts.map((text) => ({ text, a: judge.assess(text) }));
  const ref = ctx.content().ref;
  const districts = ref.districts.map((d) => d.name);
  const r = seededRandom(11);
  const spikeType = judged.find((j) => j.a.type === 'fake-cs')?.a.type ?? judged.find((j) => j.a.risk === 'high')!.a.type;
  const spike = { district: '仓山区', type: spikeType, today: 0 };
  const docs: Parameters<typeof insertTip>[1][] = [];
  for (let d = 0; d < days; d++) {
    const day = shiftDay(today, d - (days - 1));
    const isToday = day === today;
    const hours = isToday ? Math.max(1, Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' }).format(at))) : 24;
    const n = Math.round(perDay * (0.8 + 0.4 * r()) * (hours / 24));
    for (let i = 0; i < n; i++) {
      const j = pick(r, judged);
      const hour = Math.floor(r() * hours);
      const when = new Date(`${day}T${String(hour).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}:00+08:00`);
      const priv = r() < 0.2;
      docs.push({ at: when, day, channel: priv ? 'private' : 'group', ...(priv ? {} : { district: pick(r, districts), segments: [pick(r, ['elderly', 'students', 'shoppers', 'general'])] }), text: maskText(j.text), chars: [...j.text].length, type: j.a.type, risk: j.a.risk, score: j.a.score, signals: j.a.signals.map((s) => s.label) });
    }
    if (isToday) {
      const wave = judged.filter((j) => j.a.type === spikeType);
      for (let i = 0; i < Math.max(40, Math.round(perDay / 10)); i++) {
        const j = pick(r, wave);
        docs.push({ at: new Date(at.getTime() - Math.floor(r() * 3 * 3_600_000)), day, channel: 'group', district: spike.district, segments: ['shoppers'], text: maskText(j.text), chars: [...j.text].length, type: j.a.type, risk: j.a.risk, score: j.a.score, signals: j.a.signals.map((s) => s.label) });
        spike.today++;
      }
    }
  }
  // the first ones through insertTip, as the desk stores each; the rest in bulk as insertTip leaves them (its own
  // insert is one round trip per tip: 4 ms each here, 35,000 would take minutes), checked to have the same fields
  const first = docs.slice(0, 20);
  const ids = await Promise.all(first.map((t) => insertTip(store, t)));
  const bulk = docs.slice(first.length).map(({ at, day, channel, district, segments, text, chars, type, risk, score, signals }) => ({
    _id: randomUUID(), at: new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000), day, channel, ...(district ? { district } : {}), segments: segments ?? [], text, chars, type, risk, score, signals, // (an array field is [] when not given: mongoose's default)
  }));
  for (const chunk of inChunks(bulk, 1_000)) await store.models.Tip.collection.insertMany(chunk as never[], { ordered: false });
  const i = first.findIndex((t) => t.channel === bulk[0]!.channel);
  if (i >= 0) {
    const [real, seeded] = await Promise.all([store.models.Tip.findOne({ _id: ids[i] }).lean(), store.models.Tip.findOne({ _id: bulk[0]!._id }).lean()]);
    if (fieldsOf(real) !== fieldsOf(seeded)) throw new Error(`a seeded tip's fields differ from insertTip's: ${fieldsOf(seeded)} / ${fieldsOf(real)}`);
  }
  return { tips: docs.length, spike };
}
