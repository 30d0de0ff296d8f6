import { listCampaigns } from '../store/campaigns-repo.js';
import { recentRuns } from '../store/recent-runs.js';
import { loadDeliveries } from '../outbox/outbox.js';
import type { Store } from '../store/connection.js';
import type { DeliveryStatus } from '../shared/outbox-records.js';
import { inScope, type Actor } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { KeptRead, KeptReads, type Kept } from './kept-read.js';

/**
 * What is being sent right now: each run not closed (or closed within the
 * last hour) with its deliveries by status, how far it is and when it will
 * likely end. Read from the database, so every API instance shows the same.
 */

export interface RunProgress {
  runId: string;
  campaignId: string;
  name: string;
  priority: string;
  districts: string[];
  scheduledAt: Date;
  /** Deliveries planned so far (the plan may still be being written). */
  total: number;
  counts: Record<DeliveryStatus, number>;
  /** Deliveries final (sent, failed, skipped, unknown) ÷ total; 1 when every one is. */
  progress: number;
  /** The plan is written in full. */
  planned: boolean;
  /** When the last one will likely go, at the pace of the run so far (none before its first send). */
  estimatedEnd?: Date | undefined;
  /** When its last delivery became final (closed runs). */
  closedAt?: Date | undefined;
}

/** Closed runs stay on the list this long (so a finished run shows 100 % before it goes). */
const SHOWN_AFTER_CLOSE_MS = 3_600_000;

/** Every run in progress or just finished, newest first (all districts: filter with `runsFor`). */
export async function runsInProgress(store: Store, now: Date): Promise<RunProgress[]> {
  const since = new Date(now.getTime() - SHOWN_AFTER_CLOSE_MS);
  const runs = await recentRuns(store, since, now);
  if (!runs.length) return [];
  const campaigns = new Map((await listCampaigns(store)).map((c) => [c._id, c]));
  const states = await loadDeliveries(store, { runIds: runs.map((r) => r._id) });
  const byRun = new Map<string, typeof states>();
  for (const s of states) (byRun.get(s.runId) ?? byRun.set(s.runId, []).get(s.runId)!).push(s);
  return runs
    .map((r) => {
      const c = campaigns.get(r.campaignId);
      const list = byRun.get(r._id) ?? [];
      const counts: Record<DeliveryStatus, number> = { planned: 0, sending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 };
      for (const s of list) counts[s.status]++;
      const done = counts.sent + counts.failed + counts.skipped + counts.unknown;
      const sentTimes = list.flatMap((s) => (s.sentAt ? [s.sentAt.getTime()] : []));
      const first = sentTimes.length ? Math.min(...sentTimes) : undefined;
      const left = list.length - done;
      // the pace so far: sends since the first one (a run that has sent one post has no pace yet)
      const pace = first !== undefined && sentTimes.length > 1 ? (Math.max(...sentTimes) - first) / (sentTimes.length - 1) : undefined;
      return {
        runId: r._id, campaignId: r.campaignId, name: c?.name ?? r.campaignId, priority: c?.priority ?? 'normal', districts: c?.districts ?? ['all'], scheduledAt: r.scheduledAt,
        total: list.length, counts, progress: list.length ? done / list.length : r.plannedAt ? 1 : 0, planned: r.plannedAt !== undefined,
        ...(left > 0 && pace !== undefined ? { estimatedEnd: new Date(Math.max(now.getTime(), Math.max(...sentTimes)) + left * pace) } : {}),
        ...(r.closedAt ? { closedAt: r.closedAt } : {}),
      };
    })
    .sort((a, b) => b.scheduledAt.getTime() - a.scheduledAt.getTime());
}

/** The runs an actor may see: those of campaigns in their scope. */
export const runsFor = (actor: Actor, runs: readonly RunProgress[]): RunProgress[] => runs.filter((r) => inScope(actor.scope, { districts: r.districts }));

const kept = new KeptReads<RunProgress[]>();

/**
 * Every run in progress, read at most once per 2 s in this process for the
 * dashboard and the live feed together; when that read is slow (the outbox
 * of runs to 69,000 groups on FerretDB), calls are answered with the last
 * one while it is read again.
 */
export async function keptRuns(ctx: AppContext): Promise<Kept<RunProgress[]>> {
  const store = await ctx.store();
  return kept.of(store, 'runs', () => new KeptRead(async () => runsInProgress(await ctx.readerStore(), ctx.clock.now()), { clock: ctx.clock, freshMs: RUNS_FRESH_MS, onError: (err) => ctx.log.warn({ err }, 'runs in progress could not be read again; the last progress is shown') })).get();
}

/** How long a read of the runs in progress is answered as it is. */
const RUNS_FRESH_MS = 2_000;

/** Runs in progress as the actor may see them. */
export async function liveRuns(ctx: AppContext, actor: Actor): Promise<RunProgress[]> {
  return runsFor(actor, (await keptRuns(ctx)).value);
}
