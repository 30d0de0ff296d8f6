import { EventEmitter } from 'node:events';
import cron, { type ScheduledTask } from 'node-cron';
import type { FleetConfig } from '../config/bots.js';
import type { Clock } from '../config/clock.js';
import type { ReferenceData } from '../config/reference.js';
import type { Logger } from '../log/logger.js';
import type { Post } from '../content/post-schema.js';
import type { Store } from '../store/connection.js';
import { campaignsVersion, getCampaign, getVersion, listCampaigns, listVersions, type CampaignRecord, type CampaignVersion } from '../store/campaigns-repo.js';
import { createRun, listRuns, recordPlan, runId, unplannedRuns } from '../store/runs-repo.js';
import { firstTime } from '../store/once.js';
import { timerAt } from './timer-at.js';
import type { CampaignDefinition } from './campaign-schema.js';
import { changeState } from './campaign-service.js';
import { approvalHolds, definitionHash } from '../shared/approval-seal.js';
import { SYSTEM_ACTOR } from '../shared/permissions.js';
import type { Verifiers } from '../shared/signing.js';
import { inlinePost } from './resolve-posts.js';
import { historySince, planRun, type HistoryReading, type PlanOutbox, type PlanRunOptions, type PlanRunResult } from './plan-run.js';
import { nextDue } from './next-due.js';
import { CATCH_UP_MS, missedDueTimes } from './catch-up.js';
import { PlanningPrefetch } from './planning-prefetch.js';
import { listGroups, targetingVersion } from '../store/groups-repo.js';
import { type GroupRecord } from '../shared/groups.js';

/** How long a run may take to plan before another worker finishes it (its planner is taken for dead). */
export const PLAN_LEASE_MS = 120_000;

export interface SchedulerEvents {
  'run:planned': [{ campaignId: string; runId: string; scheduledAt: Date } & PlanRunResult];
  'run:skipped': [{ campaignId: string; scheduledAt: Date; reason: string }];
}

export interface SchedulerOptions {
  store: Store;
  /** Where the registry is read ahead of a due time (a worker's side connection: a run still sending is not held behind that read). @defaultValue store */
  reads?: () => Store;
  clock: Clock;
  log: Logger;
  workerId: string;
  library: readonly Post[];
  ref: ReferenceData;
  fleet: Pick<FleetConfig, 'quietHours'>;
  onlineBotIds: () => Promise<ReadonlySet<string>>;
  /** The keys whose approval seals this worker trusts (the API's public key). */
  approvals: Verifiers;
  /** Base address of tracked links (`<base>/r/<code>`); unset → posts carry their plain link. */
  linkBase?: string | undefined;
  /** Where runs are planned into (the outbox; in a worker, handing what is written to its dispatcher: see planRun). */
  outbox: PlanOutbox;
  /** How often to reconcile every campaign in any case. @defaultValue 15000 */
  syncEveryMs?: number;
  /** How often to look whether any campaign changed (approved, paused, asked to run now): then it syncs at once. @defaultValue 1000 */
  watchEveryMs?: number;
}

/** A campaign's approved version, checked: what may run, and the posts it may send. */
interface Runnable {
  rec: CampaignRecord;
  def: CampaignDefinition;
  version: CampaignVersion;
  /** The library's posts the approval covers, as they were approved (a post changed since is left out). */
  posts: Post[];
  /** Changes here make a new cron task. */
  key: string;
}

/**
 * Runs approved campaigns on their schedules (Asia/Shanghai). What runs is
 * the approved version, only when the API's seal over it verifies (a status
 * written straight into the database runs nothing), and only the posts the
 * approval named, unchanged since. Every due time creates at most one run,
 * whichever worker fires first (unique run id); the planner then writes the
 * outbox. Approvals, pauses, cancellations and requests to run now take
 * effect at the next sync, without a restart.
 */
export class CampaignScheduler extends EventEmitter<SchedulerEvents> {
  private readonly tasks = new Map<string, { key: string; def: CampaignDefinition; task: ScheduledTask | { cancel(): void } }>();
  /** The registry and what caps count, each read shortly before the next due time (see PlanningPrefetch). */
  private readonly registryAhead: PlanningPrefetch<readonly GroupRecord[]>;
  private readonly historyAhead: PlanningPrefetch<{ from: Date; reading: HistoryReading }>;
  /** Missed due times already reported (campaign and the newest of them). */
  private readonly reportedMissed = new Set<string>();
  /** The latest run known to exist per campaign (created here, or found existing): catch-up reads runs only past it. */
  private readonly lastRunAt = new Map<string, Date>();
  /** Problems with approvals or posts already logged (once each). */
  private readonly reported = new Set<string>();
  /** Requests to run now already fired, per campaign. */
  private readonly ranNow = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private watch: NodeJS.Timeout | undefined;
  private seenVersion = '';
  private syncing: Promise<void> = Promise.resolve();
  /** After close() a sync still in flight schedules nothing (its cron task would outlive the worker). */
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly o: SchedulerOptions) {
    super();
    this.log = o.log.child({ module: 'scheduler' });
    this.registryAhead = new PlanningPrefetch({ read: () => listGroups(o.reads?.() ?? o.store), version: () => targetingVersion(o.store), clock: o.clock });
    this.historyAhead = new PlanningPrefetch({
      read: async (due) => {
        // as far back as the longest repeat window of the campaigns scheduled here needs (a day at least, as historySince)
        const from = new Date(Math.min(due.getTime() - 86_400_000, ...[...this.tasks.values()].map((t) => historySince(t.def, due).getTime())));
        return { from, reading: await o.outbox.readHistory(from) };
      },
      version: () => o.outbox.historyVersion(),
      clock: o.clock,
    });
  }

  async start(): Promise<void> {
    this.seenVersion = await campaignsVersion(this.o.store);
    await this.sync();
    this.timer = setInterval(() => void this.syncSoon(), this.o.syncEveryMs ?? 15_000);
    this.timer.unref();
    // an approval, pause or request to run now anywhere changes the campaigns' version: picked up within a second
    this.watch = setInterval(() => {
      void campaignsVersion(this.o.store)
        .then((v) => {
          if (v === this.seenVersion) return;
          this.seenVersion = v;
          return this.syncSoon();
        })
        .catch((err: unknown) => this.log.warn({ err }, 'could not read the campaigns\' version; the next sync picks changes up'));
    }, this.o.watchEveryMs ?? 1_000);
    this.watch.unref();
  }

  /** A sync after the one running (if any): never two at once. */
  private syncSoon(): Promise<void> {
    this.syncing = this.syncing.then(() => this.sync()).catch((err: unknown) => this.log.error({ err }, 'campaign sync failed'));
    return this.syncing;
  }

  /** Reconcile database states and cron tasks; fire requests to run now; finish plans a dead worker left part-way. */
  async sync(): Promise<void> {
    const now = this.o.clock.now();
    const keep = new Set<string>();
    for (const rec of await listCampaigns(this.o.store, ['approved', 'active', 'paused'])) {
      if (this.closed) return;
      const r = await this.runnable(rec);
      if (!r) continue;
      const until = r.def.window?.until;
      let current = rec;
      if (until && now > until) {
        current = await changeState(this.o.store, rec._id, 'finish', SYSTEM_ACTOR, now, 'window ended');
      } else if (current.status === 'active' && 'at' in r.def.schedule && new Date(r.def.schedule.at) <= now) {
        // a one-off campaign is done once its run is (every post final); until then it can still be paused or cancelled
        const [run] = await listRuns(this.o.store, rec._id, 1);
        if (run?.closedAt) current = await changeState(this.o.store, rec._id, 'finish', SYSTEM_ACTOR, now, 'its one run is done');
      }
      if (current.status !== 'approved' && current.status !== 'active') continue;
      keep.add(rec._id);
      this.ensureTask({ ...r, rec: current });
      await this.catchUp({ ...r, rec: current });
      await this.runNowIfAsked({ ...r, rec: current });
    }
    for (const id of this.tasks.keys()) if (!keep.has(id)) this.dropTask(id);
    this.armPrefetch();
    await this.resumeStalledPlans();
  }

  /**
   * A campaign's approved version, if it may run: the API's seal over it
   * holds and its definition is what was sealed. The posts it may send are
   * the library's posts the approval named, with the content it approved; a
   * post changed since is said once and left out ("needs review").
   */
  private async runnable(rec: CampaignRecord): Promise<Runnable | undefined> {
    const refuse = (why: string): undefined => {
      const key = `${rec._id}#${rec.approvedVersion}:${why}`;
      if (!this.reported.has(key)) {
        this.reported.add(key);
        this.log.error({ campaignId: rec._id, version: rec.approvedVersion, why }, 'campaign not run: its approval does not hold');
      }
      return undefined;
    };
    if (!rec.approvedVersion || !rec.approvedBy) return refuse('it has no approved version');
    const version = await getVersion(this.o.store, rec._id, rec.approvedVersion);
    if (!version?.approval) return refuse('its approved version has no approval record');
    // a campaign document turned back to an older sealed version (a direct write) runs nothing
    const newer = (await listVersions(this.o.store, rec._id)).find((v) => v.version > version.version && v.approval);
    if (newer) return refuse(`version ${newer.version} was approved after version ${version.version}, which the campaign names`);
    const a = version.approval;
    if (a.by !== rec.approvedBy) return refuse('the approver recorded on the campaign is not the one who sealed the version');
    if (definitionHash(version.definition) !== version.definitionHash) return refuse('its definition was changed after it was submitted');
    const subject = { campaignId: rec._id, version: version.version, definitionHash: version.definitionHash, posts: version.posts, approvedBy: a.by, approvedAt: a.at };
    if (!approvalHolds(subject, { keyId: a.keyId, sig: a.sig }, this.o.approvals)) return refuse('its approval seal does not verify with the API\'s key');
    const approved = new Map(version.posts.map((p) => [p.id, p.hash]));
    const def = version.definition as unknown as CampaignDefinition;
    const own = inlinePost(def);
    const posts: Post[] = [];
    for (const p of own ? [own] : this.o.library) {
      const hash = approved.get(p.id);
      if (hash === undefined) continue;
      if (hash === p.contentHash) posts.push(p);
      else {
        const key = `${rec._id}#${version.version}:post ${p.id}`;
        if (!this.reported.has(key)) {
          this.reported.add(key);
          this.log.warn({ campaignId: rec._id, version: version.version, postId: p.id }, 'a post changed since the campaign was approved: not sent under that approval (needs review)');
        }
      }
    }
    return { rec, def, version, posts, key: `${version.version}:${version.definitionHash}` };
  }

  /**
   * A due time of a campaign: create its run (once across all schedulers) and
   * plan it. Returns the run id when this call created the run.
   */
  async fire(campaignId: string, due: Date): Promise<string | undefined> {
    const scheduledAt = new Date(Math.floor(due.getTime() / 1000) * 1000);
    const skip = (reason: string): undefined => {
      this.log.info({ campaignId, reason }, 'due time skipped');
      this.emit('run:skipped', { campaignId, scheduledAt, reason });
      return undefined;
    };
    const rec = await getCampaign(this.o.store, campaignId);
    if (!rec) return skip('unknown campaign');
    if (rec.status !== 'approved' && rec.status !== 'active') return skip(`campaign is ${rec.status}`);
    const r = await this.runnable(rec);
    if (!r) return skip('its approval does not hold');
    const def = r.def;
    if (def.window && (scheduledAt < def.window.from || (def.window.until && scheduledAt > def.window.until))) return skip('outside the campaign window');
    // another worker may activate it first (the transition is conditional on the status): the run goes on either way
    if (rec.status === 'approved') await changeState(this.o.store, campaignId, 'activate', SYSTEM_ACTOR, this.o.clock.now(), 'first run due').catch((err: unknown) => this.log.debug({ campaignId, err }, 'not activated here'));
    const created = await createRun(this.o.store, campaignId, scheduledAt, this.o.workerId, this.o.clock.now(), r.key);
    this.knowRun(campaignId, scheduledAt);
    if (!created) return undefined;
    const id = runId(campaignId, scheduledAt);
    const groups = this.registryAhead.take(scheduledAt);
    const history = this.historyAhead.take(scheduledAt);
    this.armPrefetch();
    const ahead = await history;
    await this.plan(id, r, scheduledAt, { groups: await groups, history: ahead && ahead.from <= historySince(def, scheduledAt) ? ahead.reading : undefined });
    return id;
  }

  /** A publisher asked for a run now (`runNowAt`): fire it as a one-off due time, once (its run id is that time). */
  private async runNowIfAsked(r: Runnable): Promise<void> {
    const at = r.rec.runNowAt;
    if (!at || this.ranNow.get(r.rec._id) === at.getTime()) return;
    this.ranNow.set(r.rec._id, at.getTime());
    if (this.o.clock.now().getTime() - at.getTime() > CATCH_UP_MS) return;
    this.log.info({ campaignId: r.rec._id, at }, 'run now, as a publisher asked');
    await this.fire(r.rec._id, at);
  }

  /**
   * A due time that passed while no worker ran (every worker was down, or
   * none had started) made no run: the latest one within `CATCH_UP_MS` is
   * sent now, late (quiet hours and caps apply at the time it is planned);
   * earlier ones are reported missed, once per process. Whichever worker
   * creates the run sends it (the run id is unique).
   */
  private async catchUp(r: Runnable): Promise<void> {
    const rec = r.rec;
    const now = this.o.clock.now();
    const def = r.def;
    const enabled = r.version.approval?.at;
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
      const r = rec && (rec.status === 'approved' || rec.status === 'active') ? await this.runnable(rec) : undefined;
      if (!r || (run.contentHash && run.contentHash !== r.key)) {
        const c = await this.o.outbox.counts(run._id);
        await recordPlan(this.o.store, run._id, c.held, c.skipped, now);
        this.log.warn({ campaignId: run.campaignId, runId: run._id, reason: rec ? `campaign is ${rec.status}${r && run.contentHash !== r.key ? ', another version approved since' : ''}` : 'campaign gone' }, 'a run whose planning stopped part-way is closed with what it holds');
        continue;
      }
      this.log.warn({ campaignId: run.campaignId, runId: run._id }, 'resuming the planning of a run whose planner stopped part-way');
      await this.plan(run._id, r, run.scheduledAt);
    }
  }

  /** Write a run's outbox (see planRun) and announce it; `ahead`: what was read for it before its due time. */
  private async plan(id: string, r: Runnable, scheduledAt: Date, ahead?: Pick<PlanRunOptions, 'groups' | 'history'>): Promise<void> {
    const result = await planRun({
      store: this.o.store,
      runId: id,
      campaign: r.def,
      contentHash: r.key,
      scheduledAt,
      library: r.posts,
      ref: this.o.ref,
      fleet: this.o.fleet,
      onlineBotIds: await this.o.onlineBotIds(),
      now: this.o.clock.now(),
      linkBase: this.o.linkBase,
      outbox: this.o.outbox,
      ...ahead,
    });
    this.log.info({ campaignId: r.rec._id, runId: id, ...result }, 'run planned');
    this.emit('run:planned', { campaignId: r.rec._id, runId: id, scheduledAt, ...result });
  }

  /** Campaigns with a cron task or timer here now. */
  scheduledCampaigns(): string[] {
    return [...this.tasks.keys()];
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.watch) clearInterval(this.watch);
    this.registryAhead.close();
    this.historyAhead.close();
    for (const id of [...this.tasks.keys()]) this.dropTask(id);
  }

  private ensureTask(r: Runnable): void {
    if (this.closed) return;
    const id = r.rec._id;
    if (this.tasks.get(id)?.key === r.key) return;
    this.dropTask(id);
    const fire = (at: Date): void => {
      this.fire(id, at).catch((err: unknown) => this.log.error({ campaignId: id, err }, 'run failed'));
    };
    if ('cron' in r.def.schedule) {
      const task = cron.schedule(r.def.schedule.cron, (ctx) => fire(ctx.date), { timezone: 'Asia/Shanghai', name: `campaign:${id}` });
      this.tasks.set(id, { key: r.key, def: r.def, task });
    } else {
      const at = new Date(r.def.schedule.at);
      // a one-off time that passed before it was approved (an urgent alert approved after its time) goes at once, late,
      // within the catch-up window: its run is created once whichever scheduler fires first
      const late = this.o.clock.now().getTime() - at.getTime();
      if (late > CATCH_UP_MS) return;
      this.tasks.set(id, { key: r.key, def: r.def, task: late >= 0 ? (fire(at), { cancel: () => undefined }) : timerAt(at, this.o.clock, () => fire(at)) });
    }
  }

  /** Have the registry and caps history read just before the earliest next due time of the scheduled campaigns. */
  private armPrefetch(): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    const next = [...this.tasks.values()].map((t) => nextDue(t.def, now)?.getTime()).filter((t): t is number => t !== undefined);
    if (!next.length) return;
    const due = new Date(Math.min(...next));
    this.registryAhead.arm(due);
    this.historyAhead.arm(due);
  }

  private dropTask(id: string): void {
    const t = this.tasks.get(id);
    if (!t) return;
    if ('stop' in t.task) void t.task.stop();
    else t.task.cancel();
    this.tasks.delete(id);
  }
}
