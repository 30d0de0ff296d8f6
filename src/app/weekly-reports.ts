import cron, { type ScheduledTask } from 'node-cron';
import { shanghaiDay, shiftDay } from '../config/clock.js';
import { loadScamTypes } from '../content/library.js';
import { engagementReport, postsReport, reachReport, uniqueReachTotal } from '../reports/reports.js';
import { weeklySheets, weeklySummary } from '../reports/weekly-report.js';
import { xlsx } from '../reports/xlsx.js';
import { tipCounts } from '../store/tips-repo.js';
import { getWeeklyReport, insertWeeklyReport, listWeeklyReports, weeklyReportExists, type WeeklyReportRecord } from '../store/weekly-reports-repo.js';
import { can, type Actor } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { AppError, forbidden, requireGrant } from './errors.js';

/**
 * Weekly reports per district (and one for the whole city, 全市): made
 * every Monday for the week before, as .xlsx, kept in the database for
 * analysts to download. Each is made once, whichever process makes it first.
 */

/** The whole city's report. */
export const CITY = '全市';

/** The Monday (Asia/Shanghai day) of the week a day is in. */
export function mondayOf(day: string): string {
  const weekday = (new Date(`${day}T12:00:00+08:00`).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return shiftDay(day, -weekday);
}

/** The week before the one `now` is in. */
export const lastWeek = (now: Date): string => shiftDay(mondayOf(shanghaiDay(now)), -7);

/** Make the reports of a week (Monday's day) for every district and the city; those made already are left. */
export async function makeWeeklyReports(ctx: AppContext, week: string): Promise<{ made: string[]; existed: string[] }> {
  const monday = mondayOf(week);
  const from = monday;
  const to = shiftDay(monday, 6);
  const store = await ctx.store();
  const names = Object.fromEntries(loadScamTypes(ctx.contentDir).types.map((t) => [t.id, t.name]));
  const out = { made: [] as string[], existed: [] as string[] };
  for (const area of [CITY, ...ctx.content().ref.districts.map((d) => d.name)]) {
    const id = `${monday}:${area}`;
    if (await weeklyReportExists(store, id)) {
      out.existed.push(id);
      continue;
    }
    const q = { from, to, ...(area === CITY ? {} : { district: area }) };
    const [reachByDay, engagementByDay, unique, tips, topPosts] = await Promise.all([
      reachReport(store, { ...q, by: ['day'] }), engagementReport(store, { ...q, by: ['day'] }), uniqueReachTotal(store, q), tipCounts(store, { ...q, by: ['type'] }), postsReport(store, { ...q, top: 10 }),
    ]);
    const figures = {
      area, from, to, reachByDay, engagementByDay, unique, topPosts,
      tipsByType: tips.map((t) => ({ type: names[t.key['type'] ?? ''] ?? t.key['type'] ?? '', checks: t.checks, high: t.high, medium: t.medium })).sort((a, b) => b.checks - a.checks),
    };
    const made = await insertWeeklyReport(store, { _id: id, week: monday, district: area, from, to, createdAt: ctx.clock.now(), summary: weeklySummary(figures), xlsx: xlsx(weeklySheets(figures)) });
    (made ? out.made : out.existed).push(id);
  }
  return out;
}

/** May the actor read this area's report: analysts of the city read every one, of a district only theirs. */
function mayRead(actor: Actor, area: string): boolean {
  return can(actor, 'reports:read', { district: area }).ok;
}

/** A weekly report as listed (its file apart). */
export type WeeklyReportView = Omit<WeeklyReportRecord, '_id' | 'xlsx'> & { id: string };

/** The weekly reports the actor may read, newest week first. */
export async function listWeekly(ctx: AppContext, actor: Actor): Promise<WeeklyReportView[]> {
  requireGrant(actor, 'reports:read');
  return (await listWeeklyReports(await ctx.store())).filter((r) => mayRead(actor, r.district)).map(({ _id, ...r }) => ({ id: _id, ...r }));
}

/** One report's file, with the name to save it under. */
export async function weeklyFile(ctx: AppContext, actor: Actor, id: string): Promise<{ fileName: string; bytes: Buffer }> {
  const r = await getWeeklyReport(await ctx.store(), id);
  if (!r) throw new AppError('ZHIMI_E_NOT_FOUND', `no weekly report "${id}"`);
  if (!mayRead(actor, r.district)) throw forbidden(`${actor.name} may not read the weekly report of ${r.district}`);
  return { fileName: `zhimi-weekly-${r.week}-${r.district}.xlsx`, bytes: r.xlsx };
}

/**
 * Make last week's reports every Monday at 06:00 (Asia/Shanghai), and at
 * start when they are missing (the process was not running on Monday).
 */
export class WeeklyReportJob {
  private task: ScheduledTask | undefined;

  constructor(private readonly ctx: AppContext) {}

  async start(): Promise<void> {
    this.task = cron.schedule('0 0 6 * * 1', () => void this.run(), { timezone: 'Asia/Shanghai', name: 'weekly-reports' });
    await this.run();
  }

  private async run(): Promise<void> {
    const week = lastWeek(this.ctx.clock.now());
    try {
      const r = await makeWeeklyReports(this.ctx, week);
      if (r.made.length) this.ctx.log.info({ week, made: r.made.length }, 'weekly reports made');
    } catch (err) {
      this.ctx.log.error({ err, week }, 'weekly reports could not be made; the next start or Monday tries again');
    }
  }

  stop(): void {
    void this.task?.stop();
  }
}
