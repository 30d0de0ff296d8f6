import { EventEmitter } from 'node:events';
import cron, { type ScheduledTask } from 'node-cron';
import type { FleetConfig } from '../config/bots.js';
import type { Clock } from '../config/clock.js';
import type { ReferenceData } from '../config/reference.js';
import type { Logger } from '../log/logger.js';
import type { Post } from '../content/post-schema.js';
import type { Store } from '../store/connection.js';
import { getCampaign, listCampaigns, type CampaignRecord } from '../store/campaigns-repo.js';
import { createRun, listRuns, recordPlan, runId, unplannedRuns } from '../store/runs-repo.js';
import { firstTime } from '../store/once.js';
import { readCampaignDir, type CampaignFile } from './campaign-files.js';
import { timerAt } from './timer-at.js';
import { formatProblem, type ConfigProblem } from '../config/errors.js';
import type { CampaignDefinition } from './campaign-schema.js';
import { SYSTEM, syncWithFile, transition } from './campaign-service.js';
import { planRun, type PlanOutbox, type PlanRunResult } from './plan-run.js';
import { nextDue } from './next-due.js';
import { missedDueTimes } from './catch-up.js';
import { RegistryPrefetch } from './registry-prefetch.js';
import { listGroups, registryVersion } from '../store/groups-repo.js';
import { type GroupRecord } from '../shared/groups.js';

/** How long a run may take to plan before another worker finishes it (its planner is taken for dead). */
export const PLAN_LEASE_MS = 120_000;

export interface SchedulerEvents {
  'run:planned': [{ campaignId: string; runId: string; scheduledAt: Date } & PlanRunResult];
  'run:skipped': [{ campaignId: string; scheduledAt: Date; reason: string }];
}

export interface SchedulerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  workerId: string;
  /** content/campaigns */
  campaignDir: string;
  library: readonly Post[];
  ref: ReferenceData;
  fleet: Pick<FleetConfig, 'quietHours'>;
  onlineBotIds: () => Promise<ReadonlySet<string>>;
  /** Base address of tracked links (`<base>/r/<code>`); unset → posts carry their plain link. */
  linkBase?: string | undefined;
  /** Where runs are planned into (the outbox; in a worker, handing what is written to its dispatcher: see planRun). */
  outbox: PlanOutbox;
  /** How often to pick up approvals, pauses and file edits. @defaultValue 15000 */
  syncEveryMs?: number;
}

/**
 * Runs approved campaigns on their cron schedules (Asia/Shanghai). Every due
 * time creates at most one run, whichever worker fires first (unique run id);
 * the planner then writes the outbox. Approvals, pauses, cancellations and
 * file edits take effect at the next sync, without a restart.
 */
export class CampaignScheduler extends EventEmitter<SchedulerEvents> {
  private readonly tasks = new Map<string, { key: string; def: CampaignDefinition; task: ScheduledTask | { cancel(): void } }>();
  private readonly prefetch: RegistryPrefetch<GroupRecord>;
  /** Missed due times already reported (campaign and the newest of them). */
  private readonly reportedMissed = new Set<string>();
  /** The latest run known to exist per campaign (created here, or found existing): catch-up reads runs only past it. */
  private readonly lastRunAt = new Map<string, Date>();
  /** The campaign file problems last logged (see reportFileProblems). */
  private fileProblems = '';
  private timer: NodeJS.Timeout | undefined;
  /** After close() a sync still in flight schedules nothing (its cron task would outlive the worker). */
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly o: SchedulerOptions) {
    super();
    this.log = o.log.child({ module: 'scheduler' });
    this.prefetch = new RegistryPrefetch({ read: () => listGroups(o.store), version: () => registryVersion(o.store), clock: o.clock });
  }

  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync().catch((err: unknown) => this.log.error({ err }, 'campaign sync failed')), this.o.syncEveryMs ?? 15_000);
    this.timer.unref();
  }

  /** Reconcile files, database states and cron tasks; finish plans a dead worker left part-way. */
  async sync(): Promise<void> {
    const files = new Map<string, CampaignFile>();
    const read = readCampaignDir(this.o.campaignDir);
    for (const cf of read.files) files.set(cf.def.id, cf);
    this.reportFileProblems(read.problems);
    const now = this.o.clock.now();
    for (const rec of await listCampaigns(this.o.store, ['approved', 'active', 'paused'])) {
      if (this.closed) return;
      const cf = files.get(rec._id);
      let current = cf ? await syncWithFile(this.o.store, cf, now) : rec;
      const def = current.definition as unknown as CampaignDefinition;
      const until = def.window?.until;
      if (until && now > until && current.status !== 'finished') {
        current = await transition(this.o.store, rec._id, 'finish', SYSTEM, now, 'window ended');
      } else if (current.status === 'active' && 'at' in def.schedule && new Date(def.schedule.at) <= now) {
        // a one-off campaign is done once its run is (every post final); until then it can still be paused or cancelled
        const [run] = await listRuns(this.o.store, rec._id, 1);
        if (run?.closedAt) current = await transition(this.o.store, rec._id, 'finish', SYSTEM, now, 'its one run is done');
      }
      this.ensureTask(current);
      await this.catchUp(current);
    }
    for (const id of this.tasks.keys()) {
      const rec = await getCampaign(this.o.store, id);
      if (!rec || !['approved', 'active'].includes(rec.status)) this.dropTask(id);
    }
    this.armPrefetch();
    await this.resumeStalledPlans();
  }

  /**
   * A due time of a campaign: create its run (once across all schedulers) and
   * plan it. Returns the run id when this call created the run.
   */
  async fire(campaignId: string, due: Date): Promise<string | undefined> {
    const scheduledAt = new Date(Math.floor(due.getTime() / 1000) * 1000);
    const rec = await getCampaign(this.o.store, campaignId);
    const skip = (reason: string): undefined => {
      this.log.info({ campaignId, reason }, 'due time skipped');
      this.emit('run:skipped', { campaignId, scheduledAt, reason });
      return undefined;
    };
    if (!rec) return skip('unknown campaign');
    if (rec.status !== 'approved' && rec.status !== 'active') return skip(`campaign is ${rec.status}`);
    if (rec.approvedHash !== rec.contentHash) return skip('campaign changed since approval');
    const def = rec.definition as unknown as CampaignDefinition;
    if (def.window && (scheduledAt < def.window.from || (def.window.until && scheduledAt > def.window.until))) return skip('outside the campaign window');
    // another worker may activate it first (the transition is conditional on the status): the run goes on either way
    if (rec.status === 'approved') await transition(this.o.store, campaignId, 'activate', SYSTEM, this.o.clock.now(), 'first run due').catch((err: unknown) => this.log.debug({ campaignId, err }, 'not activated here'));
    const created = await createRun(this.o.store, campaignId, scheduledAt, this.o.workerId, this.o.clock.now(), rec.contentHash);
    this.knowRun(campaignId, scheduledAt);
    if (!created) return undefined;
    const id = runId(campaignId, scheduledAt);
    const prefetched = this.prefetch.take(scheduledAt);
    this.armPrefetch();
    await this.plan(id, rec, scheduledAt, await prefetched);
    return id;
  }

  /**
   * A due time that passed while no worker ran (every worker was down, or
   * none had started) made no run: the latest one within `CATCH_UP_MS` is
   * sent now, late (quiet hours and caps apply at the time it is planned);
   * earlier ones are reported missed, once per process. Whichever worker
   * creates the run sends it (the run id is unique).
   */
  private async catchUp(rec: CampaignRecord): Promise<void> {
    if (rec.status !== 'approved' && rec.status !== 'active') return;
    const now = this.o.clock.now();
    const def = rec.definition as unknown as CampaignDefinition;
    const enabled = rec.audit.filter((a) => a.action === 'approve' || a.action === 'resume').at(-1)?.at;
    const known = this.lastRunAt.get(rec._id);
    // every due time since a run this scheduler knows of had its run (its cron fired them): nothing to read
    if (known) {
      const since = missedDueTimes(def, { now, enabledAt: enabled, lastRunAt: known });
      if (!since.catchUp && since.missed.length === 0) return;
    }
    const [last] = await listRuns(this.o.store, rec._id, 1);
    if (last) this.knowRun(rec._id, last.scheduledAt);
    const { catchUp, missed } = missedDueTimes(def, { now, enabledAt: enabled, lastRunAt: this.lastRunAt.get(rec._id) });
    const newest = missed.at(-1);
    if (newest && !this.reportedMissed.has(`${rec._id}@${newest.getTime()}`)) {
      this.reportedMissed.add(`${rec._id}@${newest.getTime()}`);
      this.log.warn({ campaignId: rec._id, missed: missed.length, first: missed[0], last: newest }, 'due times passed while no worker was running; they were not sent');
      for (const at of missed.slice(-10)) this.emit('run:skipped', { campaignId: rec._id, scheduledAt: at, reason: 'missed: no worker was running' });
    }
    if (!catchUp) return;
    this.log.warn({ campaignId: rec._id, scheduledAt: catchUp, lateSeconds: Math.round((now.getTime() - catchUp.getTime()) / 1000) }, 'a due time passed while no worker was running: sending it now');
    await this.fire(rec._id, catchUp);
  }

  /**
   * A campaign file that does not load (a draft with a typo, a file half-way
   * through an edit) stops nothing: its campaign keeps the version in the
   * database (an approved one keeps running as approved) and the others go on.
   * The problems are logged when they change, not at every sync.
   */
  private reportFileProblems(problems: readonly ConfigProblem[]): void {
    const lines = problems.map(formatProblem);
    const key = lines.join('\n');
    if (key === this.fileProblems) return;
    if (lines.length) this.log.error({ problems: lines }, 'campaign files with errors are left out until fixed; their campaigns keep the version in the database');
    else this.log.info('campaign files load again');
    this.fileProblems = key;
  }

  private knowRun(campaignId: string, scheduledAt: Date): void {
    const known = this.lastRunAt.get(campaignId);
    if (!known || scheduledAt > known) this.lastRunAt.set(campaignId, scheduledAt);
  }

  /**
   * Finish the planning of runs whose planner stopped part-way (a worker that
   * crashed while it wrote the outbox): after `PLAN_LEASE_MS` one worker
   * plans each again, which writes only the deliveries that are missing. A
   * campaign changed, paused or cancelled since gets nothing more: its run is
   * recorded as planned with what it holds.
   */
  async resumeStalledPlans(): Promise<void> {
    const now = this.o.clock.now();
    for (const run of await unplannedRuns(this.o.store, new Date(now.getTime() - PLAN_LEASE_MS))) {
      // one worker per lease period takes it up (if it dies too, another one does in the next period)
      if (!(await firstTime(this.o.store, `replan:${run._id}:${Math.floor(now.getTime() / PLAN_LEASE_MS)}`, this.o.workerId, now))) continue;
      const rec = await getCampaign(this.o.store, run.campaignId);
      const same = rec && (rec.status === 'approved' || rec.status === 'active') && rec.approvedHash === rec.contentHash && (!run.contentHash || run.contentHash === rec.contentHash);
      if (!same) {
        const c = await this.o.outbox.counts(run._id);
        await recordPlan(this.o.store, run._id, c.held, c.skipped, now);
        this.log.warn({ campaignId: run.campaignId, runId: run._id, reason: rec ? `campaign is ${rec.status}${rec.contentHash !== run.contentHash ? ', content changed' : ''}` : 'campaign gone' }, 'a run whose planning stopped part-way is closed with what it holds');
        continue;
      }
      this.log.warn({ campaignId: run.campaignId, runId: run._id }, 'resuming the planning of a run whose planner stopped part-way');
      await this.plan(run._id, rec, run.scheduledAt);
    }
  }

  /** Write a run's outbox (see planRun) and announce it. */
  private async plan(id: string, rec: CampaignRecord, scheduledAt: Date, groups?: readonly GroupRecord[]): Promise<void> {
    const result = await planRun({
      store: this.o.store,
      runId: id,
      campaign: rec.definition as unknown as CampaignDefinition,
      contentHash: rec.contentHash,
      scheduledAt,
      library: this.o.library,
      ref: this.o.ref,
      fleet: this.o.fleet,
      onlineBotIds: await this.o.onlineBotIds(),
      now: this.o.clock.now(),
      linkBase: this.o.linkBase,
      outbox: this.o.outbox,
      groups,
    });
    this.log.info({ campaignId: rec._id, runId: id, ...result }, 'run planned');
    this.emit('run:planned', { campaignId: rec._id, runId: id, scheduledAt, ...result });
  }

  /** Campaigns with a cron task or timer here now. */
  scheduledCampaigns(): string[] {
    return [...this.tasks.keys()];
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.prefetch.close();
    for (const id of [...this.tasks.keys()]) this.dropTask(id);
  }

  private ensureTask(rec: CampaignRecord): void {
    if (this.closed || (rec.status !== 'approved' && rec.status !== 'active')) return;
    const def = rec.definition as unknown as CampaignDefinition;
    const key = `${rec.contentHash}`;
    if (this.tasks.get(rec._id)?.key === key) return;
    this.dropTask(rec._id);
    const fire = (at: Date): void => {
      this.fire(rec._id, at).catch((err: unknown) => this.log.error({ campaignId: rec._id, err }, 'run failed'));
    };
    if ('cron' in def.schedule) {
      const task = cron.schedule(def.schedule.cron, (ctx) => fire(ctx.date), { timezone: 'Asia/Shanghai', name: `campaign:${rec._id}` });
      this.tasks.set(rec._id, { key, def, task });
    } else {
      const at = new Date(def.schedule.at);
      if (at < this.o.clock.now()) return;
      this.tasks.set(rec._id, { key, def, task: timerAt(at, this.o.clock, () => fire(at)) });
    }
  }

  /** Have the registry read just before the earliest next due time of the scheduled campaigns. */
  private armPrefetch(): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    const next = [...this.tasks.values()].map((t) => nextDue(t.def, now)?.getTime()).filter((t): t is number => t !== undefined);
    if (next.length) this.prefetch.arm(new Date(Math.min(...next)));
  }

  private dropTask(id: string): void {
    const t = this.tasks.get(id);
    if (!t) return;
    if ('stop' in t.task) void t.task.stop();
    else t.task.cancel();
    this.tasks.delete(id);
  }
}
