import { shanghaiDay, shiftDay } from '../config/clock.js';
import { engagementReport, reachReport, uniqueReachTotal } from '../reports/reports.js';
import { tipCounts } from '../store/tips-repo.js';
import { can, scopeName, type Actor } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { fleetStatus } from './fleet-status.js';
import { listGroups } from './groups.js';
import { keptRuns, runsFor, type RunProgress } from './live.js';
import { KeptRead, KeptReads } from './kept-read.js';
import { reviewInbox } from './campaigns.js';
import { scopedDistrict, tipSpikesToday } from './reports.js';

/**
 * The console's first page: how far the net reaches (in the actor's scope),
 * 30 days of trend, the fleet's health, what is being sent, and what needs a
 * person now. Each part only for those whose roles show it.
 */

export interface Dashboard {
  /** Reach figures (reports:read): groups covered and their members, posts, reach, engagement, scam checks. */
  tiles?: {
    groups: number;
    members: number;
    postsToday: number;
    postsWeek: number;
    reach30: number;
    uniqueReach30: number;
    uniqueExact: boolean;
    engagementPer1000: number;
    checksToday: number;
  } | undefined;
  /** One row per Asia/Shanghai day of the last 30. */
  trend: { day: string; posts: number; reach: number; engagements: number; checks: number }[];
  /** Bots by state (fleet:read). */
  fleet?: { bots: number; online: number; waitingScan: number; throttled: number; offline: number } | undefined;
  runs: RunProgress[];
  /** When the figures (tiles, trend, fleet) were read; live progress is at most 2 s old. */
  asOf: Date;
  /** What needs a person now, most urgent first, each with the console page where to act. */
  attention: { kind: 'qr' | 'bot-throttled' | 'bot-offline' | 'review' | 'tips-spike' | 'worker-late'; text: string; link: string }[];
}

/** A bot's state as the dashboard says it. */
const BOT_STATE_ZH: Record<string, string> = { starting: '正在登录', stopped: '已停止', offline: '离线', failed: '启动失败', unknown: '状态不明（其工作进程失联）' };

/** The figures of one view (roles and scope: the same for everyone who has them), per store. */
const views = new KeptReads<Figures>(1000);

type Figures = Omit<Dashboard, 'runs' | 'asOf'>;

/**
 * Figures are read again when older than this; when reading them is slow
 * (30 days of counters and the registry at 69,000 groups on FerretDB), the
 * call is answered with the last ones (`asOf` says when they were read)
 * while they are read again. Live progress is kept 2 s (see `keptRuns`).
 */
const DASHBOARD_FRESH_MS = 10_000;

export async function dashboard(ctx: AppContext, actor: Actor): Promise<Dashboard> {
  const store = await ctx.store();
  // a narrower token of the same person, or a scope changed by an admin, is another view
  const key = `${[...actor.roles].sort().join(',')}|${scopeName(actor.scope)}`;
  const viewer = { ...actor };
  const view = views.of(store, key, () => new KeptRead(() => figuresFor(ctx, viewer), { clock: ctx.clock, freshMs: DASHBOARD_FRESH_MS, onError: (err) => ctx.log.warn({ err }, 'the dashboard\'s figures could not be read again; the last ones are shown') }));
  const [figures, runs, waiting] = await Promise.all([
    view.get(),
    can(actor, 'campaigns:read').ok ? keptRuns(ctx) : undefined,
    reviewInbox(ctx, actor),
  ]);
  const attention = [...figures.value.attention];
  if (waiting.length) attention.push({ kind: 'review', text: `${waiting.length} 个活动等待您审批${waiting.some((c) => c.priority === 'urgent') ? '（含紧急预警）' : ''}`, link: '/review' });
  return { ...figures.value, attention, runs: runs ? runsFor(actor, runs.value) : [], asOf: figures.readAt };
}

async function figuresFor(ctx: AppContext, actor: Actor): Promise<Figures> {
  // the counters and tips through the reader's connection; the registry and the fleet's state are kept reads of their own
  const store = await ctx.readerStore();
  const today = shanghaiDay(ctx.clock.now());
  const from = shiftDay(today, -29);
  const days = Array.from({ length: 30 }, (_, i) => shiftDay(from, i));
  const attention: Dashboard['attention'] = [];
  let tiles: Dashboard['tiles'];
  const trend = new Map(days.map((day) => [day, { day, posts: 0, reach: 0, engagements: 0, checks: 0 }]));
  if (can(actor, 'reports:read').ok) {
    const district = scopedDistrict(actor, 'reports:read', undefined);
    const q = { from, to: today, ...(district ? { district } : {}) };
    const [reach, engagement, unique, checks, groups] = await Promise.all([
      reachReport(store, { ...q, by: ['day'] }), engagementReport(store, { ...q, by: ['day'] }), uniqueReachTotal(store, q),
      tipCounts(store, { ...q, by: ['day'] }), listGroups(ctx, actor),
    ]);
    for (const r of reach) Object.assign(trend.get(String(r['day']))!, { posts: Number(r['deliveries']) });
    for (const r of engagement) Object.assign(trend.get(String(r['day']))!, { reach: Number(r['reach']), engagements: Number(r['total']) });
    for (const c of checks) if (trend.has(c.key['day'] ?? '')) trend.get(c.key['day']!)!.checks = c.checks;
    const rows = [...trend.values()];
    const sum = (k: 'posts' | 'reach' | 'engagements', since = from) => rows.filter((r) => r.day >= since).reduce((a, r) => a + r[k], 0);
    const active = groups.filter((g) => g.status === 'active');
    const reach30 = sum('reach');
    tiles = {
      groups: active.length, members: active.reduce((a, g) => a + g.memberCount, 0),
      postsToday: trend.get(today)!.posts, postsWeek: sum('posts', shiftDay(today, -6)),
      reach30, uniqueReach30: unique.members, uniqueExact: unique.exact,
      engagementPer1000: reach30 ? Math.round((sum('engagements') / reach30) * 10_000) / 10 : 0,
      checksToday: trend.get(today)!.checks,
    };
    for (const s of await tipSpikesToday({ ...ctx, store: async () => store }, actor)) {
      attention.push({ kind: 'tips-spike', text: `${s.district}今天有 ${s.today} 次“${s.typeName}”查询，是近四周日均的 ${s.ratio} 倍`, link: `/tips?type=${encodeURIComponent(s.type)}&district=${encodeURIComponent(s.district)}` });
    }
  }
  let fleet: Dashboard['fleet'];
  if (can(actor, 'fleet:read').ok) {
    const f = await fleetStatus(ctx);
    fleet = { bots: f.bots.length, online: 0, waitingScan: 0, throttled: 0, offline: 0 };
    for (const b of f.bots) {
      if (b.state === 'online') fleet.online++;
      else fleet.offline++;
      if (b.note.startsWith('scan')) {
        fleet.waitingScan++;
        attention.unshift({ kind: 'qr', text: `机器人 ${b.bot} 等待扫码登录`, link: `/fleet?bot=${encodeURIComponent(b.bot)}` });
      } else if (b.state !== 'online') attention.push({ kind: 'bot-offline', text: `机器人 ${b.bot} ${BOT_STATE_ZH[b.state] ?? b.state}${b.note ? `：${b.note}` : ''}`, link: `/fleet?bot=${encodeURIComponent(b.bot)}` });
      if (b.backoff) {
        fleet.throttled++;
        attention.push({ kind: 'bot-throttled', text: `机器人 ${b.bot} 被限流，放慢发送（${b.backoff}）`, link: `/fleet?bot=${encodeURIComponent(b.bot)}` });
      }
    }
    for (const w of f.workers) if (w.state === 'late') attention.push({ kind: 'worker-late', text: `工作进程 ${w.workerId} 已 ${w.lastSeenSec} 秒无响应`, link: '/fleet' });
  }
  return { tiles, trend: [...trend.values()], fleet, attention };
}
