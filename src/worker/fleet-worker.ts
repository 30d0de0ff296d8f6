import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { Logger } from '../log/logger.js';
import type { Post } from '../content/post-schema.js';
import type { Verifiers } from '../shared/signing.js';
import type { BotConfig } from '../config/bots.js';
import { heartbeats, onlineBotIds, recordBotState } from '../store/bots-repo.js';
import { beatsDue, NO_BEAT, type CalmBeats } from '../shared/heartbeat-cadence.js';
import { findGroupById, recentGroupPauses } from '../store/groups-repo.js';
import { expireLeases, finishedRuns, loadDeliveries, reassignOrphans, skipPlanned, type DeliveryState, type LapsedVerdict } from '../outbox/outbox.js';
import { stoppedCampaigns } from '../store/campaigns-repo.js';
import { closeRuns, openRuns } from '../store/runs-repo.js';
import { forgetOldLeases, holdBotLease, holdingLeases, lastLeases, releaseBotLease, renewBotLeases } from '../store/leases-repo.js';
import { announceWorker, forgetGoneWorkers, isLate, liveWorkers, renewPresence, retireWorker, type WorkerBeat } from '../store/workers-repo.js';
import { openDatabasePing, type DatabasePing } from '../store/db-ping.js';
import { openSideConnection, type Store } from '../store/connection.js';
import { shareBots } from '../fleet/bot-share.js';
import { forgetMessageKeys } from '../store/once.js';
import { forgetOldRecords } from '../store/retention-repo.js';
import { Fleet, type FleetOptions } from '../fleet/fleet.js';
import { CampaignScheduler } from '../campaigns/scheduler.js';
import { Dispatcher } from '../delivery/dispatcher.js';
import type { CampaignStop } from '../delivery/post-verdict.js';
import { Limiters } from '../delivery/limiters.js';
import type { SendPolicy } from '../delivery/retry-policy.js';
import { planOutbox } from '../outbox/plan-outbox.js';
import { DatabaseWatch } from './database-watch.js';
import { backstopsDue } from './backstops-due.js';
import { AreaIndex } from '../engagement/area-index.js';
import { completeDeadSessions } from '../engagement/tally-recovery.js';

/** How often a worker reads which campaigns are paused or cancelled. */
const STOPS_EVERY_MS = 1000;
/**
 * How often the heartbeats of bots that are not backing off are written. A bot whose worker holds its lease is
 * online without one (see onlineBotIds): the heartbeat says so only when that worker is gone. Every 10 s, the
 * 200 documents it rewrites took 3–8 % of a loaded FerretDB's one writer, ahead of the lanes' claims.
 */
const BEAT_EVERY_MS = 60_000;
/** A lease's backstop, in leases (see `backstopMs`). */
const LEASE_BACKSTOP_LEASES = 10;
/**
 * Most documents one housekeeping write rewrites (lease backstops, calm heartbeats): FerretDB rewrites each
 * document and takes one write at a time, so 200 at once held the lanes' claims up for 0.4–1.2 s.
 */
export const HOUSEKEEPING_WRITE_DOCS = 40;
/** How often a worker looks for counting sessions of dead processes to complete (or every 15 ticks, if sooner). */
const RECOVER_EVERY_MS = 30_000;
/** How often a worker forgets what is kept only for a while (gone workers, keys of messages acted on). */
const TIDY_EVERY_MS = 3600_000;
/**
 * How long after the local planner last handed over posts of a run the periodic sweep leaves that run alone
 * while its posts are still queued here: on FerretDB the read scans the whole outbox just when the run's first
 * posts go out, and what this worker's bots have to send of it is queued here already. A sweep for a reason (a
 * bot logged out, in, started or failed to start here, a worker gone, the database back) reads every open run;
 * posts that another worker's sweep moves onto bots here meanwhile wait for the next full sweep (at most 2 minutes
 * after the planner's last hand-off).
 */
export const FRESH_RUN_MS = 2 * 60_000;

/** A sweep for a reason reads every open run; the tick's periodic one leaves runs in hand alone (FRESH_RUN_MS). */
type SweepScope = 'all' | 'periodic';
/** A post with no bot of its group online waits this long for one (a campaign may set its own, see plan-run.ts). */
export const WAIT_FOR_BOT_MS = 10 * 60_000;
/** A bot that failed to start here is left to other workers this long at first, doubling up to an hour. */
const FAILED_START_BACKOFF_MS = 5 * 60_000;
const FAILED_START_BACKOFF_MAX_MS = 60 * 60_000;

export interface WorkerEvents {
  'bot:started': [{ botId: string }];
  'bot:released': [{ botId: string }];
  'failover': [{ moved: number; failed: number }];
}

/** Options of a fleet worker; every field has a production default. */
export interface FleetWorkerOptions extends Pick<FleetOptions, 'config' | 'store' | 'keyer' | 'log' | 'clock' | 'channel' | 'content' | 'inbound' | 'officers' | 'audit'> {
  library: readonly Post[];
  /** The public keys whose approval seals this worker runs (the API's). @defaultValue none: no campaign runs */
  approvals?: Verifiers;
  /** @defaultValue `<host>-<pid>` */
  workerId?: string;
  /**
   * How long a bot lease (and this worker's presence) lasts without renewal: a killed worker's bots are taken
   * over that long after its last renewal, plus a tick and its login. @defaultValue 6000
   */
  botLeaseMs?: number;
  /** Housekeeping period: heartbeats, bot sharing, the outbox sweep (expired claims, failover, queues); leases are renewed every `botLeaseMs / 3`. @defaultValue 1500 */
  tickMs?: number;
  /** The database unreachable this long without a break: the worker gives up (`onDatabaseLost`). @defaultValue 300000 (5 minutes) */
  dbUnreachableExitMs?: number;
  /** Called once the database stayed unreachable for `dbUnreachableExitMs`: the process should exit (its supervisor restarts it). */
  onDatabaseLost?: (err: Error) => void;
  /** How a post with no bot of its group online waits for one, unless its campaign says. @defaultValue 600000 (10 minutes) */
  waitForBotMs?: number;
  /** The tally session that counts this worker's sent posts (its recorder's): their sent batches carry its units. */
  tallySession?: string | undefined;
  /** How the database is pinged on a connection of its own. @defaultValue openDatabasePing(store) */
  databasePing?: DatabasePing;
  /** Tips and engagement events older than this many days are deleted (counters and sketches stay). @defaultValue 180 */
  retentionDays?: number;
  /** Claim lease of a delivery. @defaultValue 120000 */
  deliveryLeaseMs?: number;
  /** Redis URL for clustered limiters (several workers). */
  redisUrl?: string | undefined;
  policy?: Partial<SendPolicy>;
  pollMs?: number;
  /** Base address of tracked links (the link server, `zhimi serve`). */
  linkBase?: string | undefined;
  /**
   * Why this worker cannot run a bot, known before trying (its token variable
   * is not set here): such bots are left to other workers, and tried here
   * only when no worker can run them (so the failure shows in `fleet status`).
   */
  cannotRun?: (bot: BotConfig) => string | undefined;
  /** Run the campaign scheduler in this worker. @defaultValue true */
  schedule?: boolean;
  syncEveryMs?: number;
}

/** The worker's timings, every default resolved once. */
export const WORKER_DEFAULTS: Required<Pick<FleetWorkerOptions, 'botLeaseMs' | 'tickMs' | 'dbUnreachableExitMs' | 'waitForBotMs' | 'retentionDays'>> = {
  botLeaseMs: 6000, tickMs: 1500, dbUnreachableExitMs: 300_000, waitForBotMs: WAIT_FOR_BOT_MS, retentionDays: 180,
};

/**
 * One worker process of the fleet. Any number can run against one database:
 * each bot runs in exactly one worker (a lease renewed while alive, taken over
 * after it expires), each due time makes one run, deliveries of a bot that
 * went offline move to another member bot, and claims a dead worker left
 * behind become `unknown`. `close()` stops cron, drains the lanes, stops the
 * bots (those still logging in too) and gives their leases back, in that order.
 */
export class FleetWorker extends EventEmitter<WorkerEvents> {
  readonly workerId: string;
  readonly fleet: Fleet;
  readonly dispatcher: Dispatcher;
  readonly scheduler: CampaignScheduler | undefined;
  /** Whether the database answers: said once when it stops and when it is back; the worker gives up after a while. */
  readonly database: DatabaseWatch;
  private readonly ping: DatabasePing;
  /** Leases, presences and heartbeats go through a connection of their own: never queued behind a long sweep (see openSideConnection). */
  private control: Store | undefined;
  /**
   * The sweep reads the open outbox through a connection of its own, and the scheduler what it reads ahead
   * of a due time: on FerretDB those reads scan whole collections (seconds at fleet scale), and the lanes'
   * claims and outcomes queued behind them held every bot's next post that long.
   */
  private sweepReads: Store | undefined;
  private readonly limiters: Limiters;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private lastTidyAt = -Infinity;
  private lastRecoveryAt = -Infinity;
  private readonly areas: AreaIndex;
  /** Bots this worker took over whose start (login, group discovery) is still running. */
  private readonly starting = new Set<Promise<void>>();
  private sweeping: Promise<void> | undefined;
  private sweepAgain: Promise<void> | undefined;
  private lastSweep = { at: 0, tookMs: 0 };
  /** When each calm bot's heartbeat was last written (see shared/heartbeat-cadence.ts). */
  private lastCalmBeat: CalmBeats = NO_BEAT;
  private stopsTimer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  /** When the last round of lease renewals started (performance.now()). */
  private lastRenewAt = -Infinity;
  /**
   * This worker's presence: its generation (what another worker fences off when the presence runs out), until when
   * it is known good (ms; every lease held here holds only as long), and whether its leases are to be taken anew
   * (it was fenced off: until a round has taken them all, none is trusted).
   */
  private readonly presence = { gen: Date.now(), until: 0, anew: false };
  private readingStops: Promise<ReadonlyMap<string, CampaignStop>> | undefined;
  private stopsFailing = false;
  private closed = false;
  private readonly log: Logger;
  /** Bots this worker holds (starting or running), and until when each lease is known good. */
  private readonly running = new Set<string>();
  /** The lease of each: the epoch this worker holds, and until when it is known good. */
  private readonly leases = new Map<string, { epoch: number; until: number }>();
  /** Bots whose start is done here (their lane runs). */
  private readonly started = new Set<string>();
  /** Bots that failed to start here: left to other workers until `until`. */
  private readonly failedStarts = new Map<string, { until: number; backoffMs: number }>();
  /** Bots handed over to another worker, not taken back before this time unless nobody took them. */
  private readonly handedOver = new Map<string, number>();
  /** When each free bot was first seen free (a bot nobody takes for a while is taken whatever the share). */
  private readonly freeSince = new Map<string, number>();
  private warnedNoRedis = false;
  /** Posts a minute this worker may send fleet-wide (all of the limit, but for several workers without Redis). */
  private fleetPart: number;
  /** Bots this worker cannot run (see `cannotRun`). */
  private readonly cannotRun = new Set<string>();
  /** Workers alive at the last tick (their claims are theirs to settle). */
  private liveWorkerIds = new Set<string>();
  /** Posts with no bot of their group online, since when (ms), and their run: they wait for one for a while. */
  private readonly orphanSince = new Map<string, { since: number; runId: string }>();
  /** Workers whose leases this one waits for (it started after they stopped being heard from): said once each. */
  private readonly waitingFor = new Set<string>();
  /** Bots started here that wait for a sweep to queue what waits for them. */
  private readonly waitingForQueue: (() => void)[] = [];

  private readonly o: FleetWorkerOptions & typeof WORKER_DEFAULTS;

  constructor(options: FleetWorkerOptions) {
    super();
    const o = (this.o = { ...WORKER_DEFAULTS, ...options });
    this.fleetPart = o.config.fleet.perMinute;
    this.workerId = o.workerId ?? `${hostname()}-${process.pid}`;
    this.log = o.log.child({ workerId: this.workerId });
    this.ping = o.databasePing ?? openDatabasePing(o.store);
    this.areas = new AreaIndex(o.store, o.clock);
    this.database = new DatabaseWatch({
      ping: this.ping, log: this.log, clock: o.clock, exitAfterMs: o.dbUnreachableExitMs,
      onLost: (err) => {
        if (o.onDatabaseLost) o.onDatabaseLost(err);
      },
    });
    this.limiters = new Limiters(o.config, {
      redisUrl: o.redisUrl,
      onRedis: (r) =>
        r.error
          ? this.log.warn({ err: r.error }, 'Redis does not answer: sending waits until it does (the shared limits cannot be kept without it)')
          : this.log.info('Redis answers again; sending goes on'),
    });
    this.dispatcher = new Dispatcher({
      store: o.store,
      clock: o.clock,
      log: o.log,
      workerId: this.workerId,
      runnerOf: (id) => this.fleet.runner(id),
      limitsOf: (id) => o.config.bots.find((b) => b.id === id)!.limits,
      limiters: this.limiters,
      mayRun: (id) => this.holdsLease(id),
      botNotInGroup: (botId, groupId) => this.fleet.botMissingFromGroup(botId, groupId),
      health: this.database,
      tallySession: o.tallySession,
      ...(o.policy ? { policy: o.policy } : {}),
      ...(o.deliveryLeaseMs ? { leaseMs: o.deliveryLeaseMs } : {}),
      ...(o.pollMs ? { pollMs: o.pollMs } : {}),
    });
    this.fleet = new Fleet({ config: o.config, store: o.store, keyer: o.keyer, log: o.log, clock: o.clock, channel: o.channel, content: o.content, workerId: this.workerId, inbound: o.inbound, officers: o.officers, audit: o.audit,
      // every message of a bot keeps the gap its posts keep (answers, replies to officers), backing off with them
      pacing: this.dispatcher });
    this.fleet.on('bot:logout', () => void this.sweepNow());
    // back: its lane (waiting while it was offline) sends again; the sweep queues what waits for it
    this.fleet.on('bot:relogin', () => void this.sweepNow());
    // claims that lapsed during an outage go back to planned, in every open run
    this.database.on('up', () => void this.sweepNow());
    // an officer's 暂停 in a group: what a lane here claimed for it before is not sent either
    this.fleet.on('group:paused', (e) => this.dispatcher.pauseGroup(e.groupId, e.paused));
    if (o.schedule ?? true) {
      this.scheduler = new CampaignScheduler({
        // its reads retried every second while the database is away: the watch says the outage once instead
        store: o.store, reads: () => this.sweepReads ?? o.store, clock: o.clock, log: this.database.quiet(o.log), workerId: this.workerId, library: o.library, approvals: o.approvals ?? new Map(),
        ref: o.content.ref, fleet: o.config, onlineBotIds: () => onlineBotIds(o.store, o.clock.now()), linkBase: o.linkBase,
        // what the planner writes for bots running here is sent at once, without reading it back
        outbox: planOutbox(o.store, this.dispatcher, () => this.sweepReads ?? o.store),
        ...(o.syncEveryMs ? { syncEveryMs: o.syncEveryMs } : {}),
      });
    }
  }

  async start(): Promise<void> {
    // the shared limiters first: without them no lane could send, and nothing would say why
    await this.limiters.ready();
    this.control = await openSideConnection(this.o.store);
    this.sweepReads = await openSideConnection(this.o.store);
    this.database.start();
    for (const bot of this.o.config.bots.filter((b) => b.enabled)) {
      const why = this.o.cannotRun?.(bot);
      if (!why) continue;
      this.cannotRun.add(bot.id);
      this.log.warn({ botId: bot.id, why }, 'this worker cannot run the bot; it is left to workers that can');
    }
    await this.tick();
    await this.scheduler?.start();
    this.timer = setInterval(() => void this.tick(), this.o.tickMs);
    this.leaseTimer = setInterval(() => {
      // (a failure is the tick's to say: it renews too when this timer is late, and logs what is not the database out of reach)
      if (this.database.reachable && !this.closed) this.renewLeasesIfDue()?.catch((err: unknown) => void this.database.noteFailure(err));
    }, this.renewEveryMs() / 2);
    // a pause or cancel reaches the lanes within a second (one small read), not only at the next sweep
    this.stopsTimer = setInterval(() => void this.readStops(), Math.min(STOPS_EVERY_MS, this.o.tickMs));
  }

  /**
   * Which campaigns are paused or cancelled, and which groups officers paused
   * through other workers' bots lately, for the lanes; the sweep also skips a
   * cancelled campaign's planned posts.
   */
  private readStops(): Promise<ReadonlyMap<string, CampaignStop>> {
    // one read at a time; a database outage is logged once, not every second (the lanes keep the last answer)
    this.readingStops ??= Promise.all([stoppedCampaigns(this.o.store), recentGroupPauses(this.o.store, this.dispatcher.groupPausesSince())])
      .then(([stops, pauses]) => {
        if (this.stopsFailing) this.log.info('reading paused and cancelled campaigns again');
        this.stopsFailing = false;
        this.dispatcher.stopCampaigns(stops);
        for (const p of pauses) this.dispatcher.pauseGroup(p.groupId, p.paused, p.at);
        return stops as ReadonlyMap<string, CampaignStop>;
      })
      .catch((err: unknown) => {
        // (the database out of reach is said once by the watch)
        if (!this.stopsFailing && !this.database.noteFailure(err)) this.log.warn({ err }, 'could not read paused and cancelled campaigns; retrying every second');
        this.stopsFailing = true;
        return new Map<string, CampaignStop>();
      })
      .finally(() => (this.readingStops = undefined));
    return this.readingStops;
  }

  /**
   * Renew this worker's presence, which holds the leases of every bot running
   * here (one small write and one look a round, whatever the number of bots),
   * then the leases' backstops that are due (see backstopsDue). Also on a
   * timer of its own: a tick held up by slow reads (seconds at 69,000 groups on
   * FerretDB) must not let the leases lapse, or every bot would be stopped and
   * started again.
   */
  private renewLeases(): Promise<void> {
    this.renewing ??= (async () => {
      this.lastRenewAt = performance.now();
      const now = this.o.clock.now();
      const until = new Date(now.getTime() + this.o.botLeaseMs);
      if (!(await this.renewOwnPresence(now))) {
        // fenced off: no lane sends until every lease is taken anew (a round that fails part-way leaves it so)
        this.presence.until = 0;
        this.presence.anew = true;
        this.presence.gen++;
        this.log.warn({ bots: this.running.size }, 'this worker was not heard from for longer than a lease, and another worker may have taken its bots over: taking their leases anew');
        await this.renewOwnPresence(now);
      }
      if (this.presence.anew && !(await this.takeLeasesAnew(now))) return;
      // known good from here: the lanes need not wait for the backstops' write (none is due right after taking anew)
      this.presence.until = until.getTime();
      await this.renewBackstops(now);
    })().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /**
   * A lease's own `until` is a backstop, ten leases long, renewed once a third
   * of it has passed (a few dozen a round at most, see backstopsDue): a bot
   * this worker stopped running but could not give back (the database out of
   * reach then) is free after it at the latest.
   */
  private backstopMs(): number {
    return LEASE_BACKSTOP_LEASES * this.o.botLeaseMs;
  }

  private async renewBackstops(now: Date): Promise<void> {
    const ttl = this.backstopMs();
    const epochs = backstopsDue(this.leases, this.running, now.getTime(), ttl, HOUSEKEEPING_WRITE_DOCS);
    if (epochs.size === 0) return;
    const held = await renewBotLeases(this.ctl, epochs, ttl, now);
    for (const [botId, epoch] of epochs) {
      const lease = this.leases.get(botId);
      // (stopped, or taken anew, while this round ran: nothing to say of it)
      if (!lease || lease.epoch !== epoch || !this.running.has(botId)) continue;
      if (held.has(botId)) lease.until = now.getTime() + ttl;
      else this.lostLease(botId);
    }
  }

  /**
   * Another worker fenced this one off: its presence had run out (a pause, the
   * database out of reach), and any of its bots may have been taken over. It
   * goes on under a new generation and takes each bot's lease anew, with the
   * next epoch (only one worker wins each; a round that failed part-way is
   * taken again whole, the extra epochs harmless); a bot taken elsewhere
   * meanwhile stops here. False when it was fenced off again meanwhile.
   */
  private async takeLeasesAnew(now: Date): Promise<boolean> {
    let renewedAt = performance.now();
    for (const botId of [...this.running]) {
      // a round for 200 bots takes a while on a loaded database: the presence is kept up meanwhile, or another worker
      // would fence this generation off too (fenced again: the next round starts over, its lanes still waiting)
      if (performance.now() - renewedAt >= this.renewEveryMs()) {
        if (!(await this.renewOwnPresence(this.o.clock.now()))) return false;
        renewedAt = performance.now();
      }
      const epoch = await holdBotLease(this.ctl, botId, this.workerId, this.backstopMs(), now, true);
      if (epoch === undefined) this.lostLease(botId);
      else this.leases.set(botId, { epoch, until: now.getTime() + this.backstopMs() });
    }
    this.presence.anew = false;
    return true;
  }

  /** Say this worker lives a lease from `now`, under its generation; false when that generation was fenced off. */
  private renewOwnPresence(now: Date): Promise<boolean> {
    return renewPresence(this.ctl, { workerId: this.workerId, gen: this.presence.gen, until: new Date(now.getTime() + this.o.botLeaseMs), now });
  }

  private lostLease(botId: string): void {
    this.leases.delete(botId);
    this.log.warn({ botId }, 'lost the lease of a bot; stopping it here');
    // not waited for here (a stop waits out the bot's gap): the other leases are renewed on time meanwhile
    void this.stopHere(botId).catch((err: unknown) => this.log.warn({ botId, err }, 'could not stop a bot whose lease was lost'));
  }

  /**
   * The presence is renewed three times a lease (every 2 s by default). A round is due that long after the last one
   * started; the lease timer looks every half of it (a round slower than that is followed by the next at once), and the
   * tick too: whichever comes first.
   */
  private renewEveryMs(): number {
    return this.o.botLeaseMs / 3;
  }

  private renewLeasesIfDue(): Promise<void> | undefined {
    return performance.now() - this.lastRenewAt >= 0.9 * this.renewEveryMs() ? this.renewLeases() : undefined;
  }

  /** Leases, heartbeats, failover and expired claims; safe to call any time. */
  tick(): Promise<void> {
    this.ticking ??= this.doTick().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async doTick(): Promise<void> {
    if (this.closed) return;
    // without the database nothing here can be done; the watch says so once, and the leases are taken anew after
    if (!this.database.reachable) return;
    try {
      const ttl = this.o.botLeaseMs;
      // 1. renew the leases of the bots running here first when their timer is late, so a slow login elsewhere never
      // lets them lapse
      await this.renewLeasesIfDue();
      const now = this.o.clock.now();
      const online = [...this.running].filter((b) => this.fleet.runner(b)?.isOnline);
      for (const b of this.running) if (!online.includes(b)) this.fleet.runner(b)?.keepConnected();
      // (through the store's connection, as the fleet's own writes of the bots' state: one writer per document)
      const beats = beatsDue(online.map((botId) => ({ botId, backoff: this.dispatcher.backoffOf(botId) })), now.getTime(), this.lastCalmBeat, BEAT_EVERY_MS, HOUSEKEEPING_WRITE_DOCS);
      await heartbeats(this.o.store, this.workerId, now, beats.due);
      this.lastCalmBeat = beats.last;
      // the accounts of bots other workers run: they are never counted as members, here either
      await this.fleet.knowFleetAccounts();
      // 2. share the bots out with the other live workers: take free ones up to this worker's share, hand surplus over
      await this.shareBots(ttl);
      // the sweep reads every open delivery: when that is slow (a big run on FerretDB), it runs less often
      // (a logout or a bot starting here still sweeps at once); it runs beside the ticks, never holding up the leases
      if (!this.sweeping && performance.now() - this.lastSweep.at >= Math.max(0, 10 * this.lastSweep.tookMs - (this.o.tickMs))) void this.sweepNow('periodic');
      // 3. the counters of workers that died before writing them are completed from the outbox
      if (performance.now() - this.lastRecoveryAt >= Math.min(RECOVER_EVERY_MS, 15 * this.o.tickMs)) {
        this.lastRecoveryAt = performance.now();
        await completeDeadSessions({ store: this.o.store, clock: this.o.clock, log: this.log, adopter: this.workerId, areas: this.areas });
      }
      // 4. once an hour: forget what is kept only for a while (workers gone a day, keys of messages acted on a day ago, old lease
      // epochs), and the tips and engagement events past their retention (FerretDB has no TTL indexes)
      if (performance.now() - this.lastTidyAt >= TIDY_EVERY_MS) {
        this.lastTidyAt = performance.now();
        await this.tidy();
      }
    } catch (err) {
      if (!this.database.noteFailure(err)) this.log.error({ err }, 'worker housekeeping failed; will retry');
    }
  }

  /** Forget what is kept only for a while; see `tick`. Returns what was deleted past its retention. */
  async tidy(): Promise<{ tips: number; engagements: number }> {
    const now = this.o.clock.now();
    await forgetGoneWorkers(this.o.store, now);
    await forgetMessageKeys(this.o.store, now);
    await forgetOldLeases(this.ctl, now);
    const old = await forgetOldRecords(this.o.store, new Date(now.getTime() - this.o.retentionDays * 86_400_000));
    if (old.tips || old.engagements) this.log.info({ ...old, retentionDays: this.o.retentionDays }, 'deleted tips and engagement events past their retention (counters and sketches stay)');
    return old;
  }

  /**
   * Say this worker lives, read who else does and which bots are free, and
   * carry out the share (see fleet/bot-share.ts): take free bots (their login
   * runs in the background), hand surplus bots over (lane stopped after the
   * post in hand, bot stopped, lease given back for the other worker to take).
   */
  private async shareBots(ttl: number): Promise<void> {
    const now = this.o.clock.now();
    const t = now.getTime();
    for (const [b, until] of this.handedOver) if (until <= t) this.handedOver.delete(b);
    const failing = [...new Set([...this.cannotRun, ...[...this.failedStarts].filter(([, f]) => f.until > t).map(([b]) => b)])];
    await announceWorker(this.ctl, { workerId: this.workerId, held: this.running.size, failing, until: new Date(t + ttl), now, everyMs: this.o.tickMs });
    const [workers, leases] = await Promise.all([liveWorkers(this.ctl, now), lastLeases(this.ctl)]);
    const presences = new Map(workers.map((w) => [w.workerId, w.until]));
    const wasLive = this.liveWorkerIds;
    this.liveWorkerIds = new Set(workers.map((w) => w.workerId));
    // a worker gone (killed, or stopped): its claims lapse and its bots' posts may move to bots here, in any run
    if ([...wasLive].some((w) => !this.liveWorkerIds.has(w))) void this.sweepNow();
    const holders = holdingLeases(leases, presences, now);
    const bots = this.o.config.bots.filter((b) => b.enabled).map((b) => b.id);
    this.sayWhatItWaitsFor(bots, holders, workers, leases, now);
    const free = bots.filter((b) => !this.running.has(b) && !holders.has(b));
    for (const b of [...this.freeSince.keys()]) if (!free.includes(b)) this.freeSince.delete(b);
    for (const b of free) if (!this.freeSince.has(b)) this.freeSince.set(b, t);
    // a free bot gets two ticks for a worker with room to take it; then anyone may. A bot whose worker is gone (killed,
    // or stopped) is taken at once by whoever sees it first: its groups wait meanwhile (the share is evened out after)
    const grace = 2 * (this.o.tickMs);
    const orphaned = (b: string): boolean => {
      const last = leases.get(b);
      return !!last && last.workerId !== this.workerId && !this.liveWorkerIds.has(last.workerId);
    };
    const plan = shareBots({
      self: this.workerId,
      bots,
      workers,
      held: [...this.running],
      running: [...this.running].filter((b) => this.started.has(b)),
      free,
      neglected: new Set(free.filter((b) => t - this.freeSince.get(b)! >= grace || orphaned(b))),
      avoid: new Set([...failing, ...this.handedOver.keys()]),
      queued: (b) => this.dispatcher.queuedFor(b),
    });
    for (const botId of plan.release) {
      if (this.closed) return;
      this.log.info({ botId, share: plan.share, workers: workers.length }, 'handing a bot over to a worker with fewer bots');
      this.handedOver.set(botId, t + grace);
      await this.stopHere(botId);
      await releaseBotLease(this.ctl, botId, this.workerId, this.o.clock.now());
    }
    // a lease under this worker's id for a bot it does not run (its process restarted under the same id, or leases taken
    // anew raced a hand-over) is given back: its presence holds it, and nobody would run the bot until its backstop passed
    for (const botId of bots) {
      if (holders.get(botId) === this.workerId && !this.running.has(botId)) await releaseBotLease(this.ctl, botId, this.workerId, this.o.clock.now());
    }
    for (const botId of plan.take) {
      if (this.closed) break;
      const at = this.o.clock.now();
      const epoch = await holdBotLease(this.ctl, botId, this.workerId, this.backstopMs(), at);
      if (epoch === undefined) continue;
      this.leases.set(botId, { epoch, until: at.getTime() + this.backstopMs() });
      this.running.add(botId);
      this.freeSince.delete(botId);
      // taken over from another worker (dead, or stopping): its slot in the shared limiter is freed now, not when it expires
      const before = leases.get(botId);
      if (before && before.workerId !== this.workerId) {
        const freed = await this.limiters.releaseBot(botId);
        this.log.info({ botId, from: before.workerId, freedSlots: freed }, 'took a bot over from another worker');
      }
      // its planned posts wait for it while it logs in (a sweep anywhere must not move them meanwhile)
      await recordBotState(this.o.store, botId, { status: 'starting', at });
      const starting = this.startHeld(botId).finally(() => this.starting.delete(starting));
      this.starting.add(starting);
    }
    await this.keepFleetShare(workers.length, bots.length);
  }

  /**
   * Bots still leased to a worker that is not heard from any more (killed, or
   * cut off) while its presence has not run out: this worker takes them when
   * it does. Said once per such worker, with how long, instead of a silence of
   * a lease's length.
   */
  private sayWhatItWaitsFor(bots: readonly string[], holders: ReadonlyMap<string, string>, workers: readonly (WorkerBeat & { workerId: string; until: Date })[], leases: ReadonlyMap<string, { until: Date }>, now: Date): void {
    const late = new Map(workers.filter((w) => w.workerId !== this.workerId && isLate(w, now)).map((w) => [w.workerId, w.until.getTime()]));
    const byWorker = new Map<string, string[]>();
    for (const b of bots) {
      const w = holders.get(b);
      if (w && late.has(w)) (byWorker.get(w) ?? byWorker.set(w, []).get(w)!).push(b);
    }
    for (const w of [...this.waitingFor]) if (!byWorker.has(w)) this.waitingFor.delete(w);
    for (const [w, held] of byWorker) {
      if (this.waitingFor.has(w)) continue;
      this.waitingFor.add(w);
      const lapseSec = Math.max(0, Math.ceil((Math.max(...held.map((b) => Math.min(leases.get(b)!.until.getTime(), late.get(w)!))) - now.getTime()) / 1000));
      this.log.info({ worker: w, bots: held, inSec: lapseSec }, `waiting for worker ${w}, not heard from, to let go of ${held.length} bot(s): their leases run out within ${lapseSec} s, then they are taken over`);
    }
  }

  /**
   * Several workers without Redis each count the fleet-wide limit alone: keep
   * to this worker's part of it (its bots' share of the fleet), said once.
   */
  private async keepFleetShare(workers: number, bots: number): Promise<void> {
    // a worker with no bots sends nothing: its part is set when it has some (lowering it now would hold its first
    // bots back until the next minute)
    if (this.o.redisUrl || this.running.size === 0) return;
    const perMinute = await this.limiters.setFleetShare(workers > 1 ? this.running.size / Math.max(1, bots) : 1);
    if (workers > 1 && !this.warnedNoRedis) {
      this.warnedNoRedis = true;
      this.log.warn({ workers }, 'several workers run without Redis: each keeps to its bots\' part of the fleet-wide limit; set ZHIMI_REDIS_URL on every worker to share one limit');
    }
    if (perMinute !== this.fleetPart) this.log.info({ postsPerMinute: perMinute, fleetPerMinute: this.o.config.fleet.perMinute }, 'this worker\'s part of the fleet-wide limit');
    this.fleetPart = perMinute;
  }

  /** Stop running a bot here (lease lost or handed over): its lane gives back what it holds unsent, then the bot stops. */
  private async stopHere(botId: string): Promise<void> {
    this.running.delete(botId);
    this.started.delete(botId);
    await this.dispatcher.stopLane(botId);
    await this.fleet.stopBot(botId);
    this.leases.delete(botId);
    this.emit('bot:released', { botId });
  }

  /** Only while this worker holds a bot's lease (and its presence, which holds the lease, is known good) may it send for the bot. */
  holdsLease(botId: string): boolean {
    const now = this.o.clock.now().getTime();
    return (this.leases.get(botId)?.until ?? 0) > now && this.presence.until > now;
  }

  private async startHeld(botId: string): Promise<void> {
    try {
      await this.fleet.startBot(botId);
      if (!this.running.has(botId) || this.closed) return;
      // it sends again first (a bot taken over from a dead worker must not wait for a look at all its rooms); its
      // rooms are looked at right after (groups it joined meanwhile, rooms under new ids)
      this.dispatcher.startLane(botId);
      this.started.add(botId);
      this.failedStarts.delete(botId);
      // what waits for it is queued by the next sweep to queue (the one running now, when it has not queued yet: a
      // bot taken over must not wait for a whole sweep more while a slow outbox read is under way)
      await this.queuedBySweep();
      this.log.info({ botId }, 'running bot (lease held)');
      this.emit('bot:started', { botId });
    } catch {
      // (the fleet logged why the bot could not start, and recorded it for `fleet status`)
      this.running.delete(botId);
      this.leases.delete(botId);
      // left to other workers for a while (they see it in this worker's presence), longer after each failure
      const backoffMs = Math.min(FAILED_START_BACKOFF_MAX_MS, 2 * (this.failedStarts.get(botId)?.backoffMs ?? FAILED_START_BACKOFF_MS / 2));
      this.failedStarts.set(botId, { until: this.o.clock.now().getTime() + backoffMs, backoffMs });
      await releaseBotLease(this.ctl, botId, this.workerId, this.o.clock.now()).catch((err: unknown) => this.log.warn({ botId, err }, 'could not give back the lease of a bot that failed to start; it lapses by itself'));
      // its posts move to another member bot, or wait for one, in every run
      void this.sweepNow();
      return;
    }
    await this.fleet.discoverBotGroups(botId).catch((err: unknown) => {
      if (!this.database.noteFailure(err)) this.log.warn({ botId, err }, 'could not look at the rooms of a bot that started; it looks again when it logs in again');
    });
  }

  /**
   * Read the open outbox once and act on it: claims whose lease ran out become
   * `unknown`, planned deliveries of offline bots move to online member bots
   * (or fail with "no bot online in group"), and what the bots running here
   * should send is queued for their lanes.
   */
  sweep(scope: SweepScope = 'all'): Promise<void> {
    // asked while one runs: run once more after it (what it read may predate the reason for asking)
    if (this.sweeping) return scope === 'periodic' ? this.sweeping : (this.sweepAgain ??= this.sweeping.then(() => ((this.sweepAgain = undefined), this.sweep())));
    this.sweeping = this.doSweep(scope).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /**
   * Resolves once a sweep has queued the outbox for the lanes running now: the
   * sweep under way if it has not reached that step yet (what it read is
   * queued for every lane running when it queues; a claim is an atomic insert,
   * so a row read a moment earlier cannot be sent twice), else the next one,
   * asked for here. A failed sweep resolves it too (the next tick tries again).
   */
  private queuedBySweep(): Promise<void> {
    const queued = new Promise<void>((resolve) => this.waitingForQueue.push(resolve));
    void this.sweepNow().finally(() => this.releaseQueueWaiters());
    return queued;
  }

  private releaseQueueWaiters(): void {
    for (const resolve of this.waitingForQueue.splice(0)) resolve();
  }

  /** Sweep at once (a bot logged out, or started here); a failure is logged and the next tick tries again. */
  private sweepNow(scope: SweepScope = 'all'): Promise<void> {
    if (this.closed) return Promise.resolve();
    // (the database out of reach is said once, by the watch: a sweep under way when it went fails with it)
    return this.sweep(scope).catch((err: unknown) => void (this.database.noteFailure(err) || this.log.error({ err }, 'outbox sweep failed; will retry')));
  }

  private async doSweep(scope: SweepScope): Promise<void> {
    const now = this.o.clock.now();
    const t0 = performance.now();
    const inHand = scope === 'periodic' ? this.dispatcher.runsInHand(FRESH_RUN_MS) : new Set<string>();
    const runs = (await openRuns(this.o.store)).filter((r) => !inHand.has(r.id));
    const current = new Map((runs.length ? await loadDeliveries(this.sweepReads ?? this.o.store, { runIds: runs.map((r) => r.id) }) : []).map((s) => [s.id, s]));
    const lapsed = await expireLeases(this.o.store, [...current.values()], now, (s) => this.lapsedVerdict(s, now));
    const expired = lapsed.filter((s) => s.status === 'unknown');
    if (expired.length) this.log.warn({ expired: expired.length }, 'claimed deliveries whose worker stopped became unknown (not resent)');
    const back = lapsed.filter((s) => s.status === 'planned');
    if (back.length) this.log.info({ deliveries: back.length }, 'claims that lapsed before their send started (a database outage longer than a claim) are back to planned');
    for (const s of lapsed) current.set(s.id, s);
    // what is final needs no memory of this worker's claims any more
    for (const s of current.values()) if (s.status !== 'planned' && s.status !== 'sending') this.dispatcher.forgetClaim(s.id);
    // paused campaigns' posts wait here, cancelled ones' are skipped (whichever worker sweeps first writes it)
    const stops = await this.readStops();
    const cancelled = await skipPlanned(this.o.store, [...current.values()].filter((s) => stops.get(s.campaignId) === 'cancelled'), 'campaign cancelled', now);
    for (const s of cancelled) current.set(s.id, s);
    if (cancelled.length) this.log.warn({ skipped: cancelled.length, campaigns: [...new Set(cancelled.map((s) => s.campaignId))] }, 'posts of cancelled campaigns skipped');
    // A bot counts as offline when it logged out (status offline/failed) or nobody has run it for
    // 30 s; a worker that just died is not a logout: another worker takes its bots over first.
    const online = await onlineBotIds(this.o.store, now, Math.max(30_000, 3 * (this.o.botLeaseMs)));
    // this worker knows its own bots first-hand
    for (const id of this.running) {
      const r = this.fleet.runner(id);
      if (r?.isOnline) online.add(id);
      else if (r) online.delete(id);
    }
    // a post with no bot of its group online waits for one (its run's wait, within its validity), then fails
    const waitOf = new Map(runs.map((r) => [r.id, r.waitForBotMs ?? this.o.waitForBotMs]));
    const waitUntil = (s: DeliveryState): Date => {
      const since = (this.orphanSince.get(s.id) ?? this.orphanSince.set(s.id, { since: now.getTime(), runId: s.runId }).get(s.id)!).since;
      const until = since + (waitOf.get(s.runId) ?? this.o.waitForBotMs);
      return new Date(s.validUntil ? Math.min(until, s.validUntil.getTime()) : until);
    };
    const res = await reassignOrphans(this.o.store, [...current.values()], online, async (groupId) => (await findGroupById(this.o.store, groupId))?.botIds ?? [], now, waitUntil);
    for (const s of res.changed) current.set(s.id, s);
    const waiting = new Set(res.waiting.map((s) => s.id));
    const newlyWaiting = res.waiting.filter((s) => this.orphanSince.get(s.id)?.since === now.getTime());
    // (a run this sweep left alone keeps its waiting posts' clocks)
    for (const [id, o] of this.orphanSince) if (!waiting.has(id) && !inHand.has(o.runId)) this.orphanSince.delete(id);
    if (newlyWaiting.length) {
      this.log.warn({ deliveries: newlyWaiting.length, bots: [...new Set(newlyWaiting.map((s) => s.botId))] }, 'posts wait for a bot of their group to come online (their bot is offline and no other member bot is online); they go out when one does, or fail when their wait is over');
    }
    if (res.moved || res.failed) {
      this.log.warn({ moved: res.moved, failed: res.failed }, 'failover: deliveries of offline bots moved to other member bots or failed');
      this.emit('failover', { moved: res.moved, failed: res.failed });
    }
    await this.dispatcher.refresh([...current.values()]);
    // (a bot started here waits for its posts of every run: a sweep that left runs alone queued only some)
    if (inHand.size === 0) this.releaseQueueWaiters();
    // runs whose deliveries are all final leave the sweep
    const done = await finishedRuns(this.o.store, [...current.values()], runs);
    if (done.length) await closeRuns(this.o.store, done, now);
    this.lastSweep = { at: performance.now(), tookMs: performance.now() - t0 };
  }

  /**
   * A claim whose lease ran out. This worker's own: its dispatcher knows
   * whether a lane holds it, its send started, or it never did (back to
   * planned). Another live worker's: left to that worker — unless this
   * worker has answered for less than a presence since its database came
   * back (a live worker may not have renewed its presence yet). Anyone
   * else's: `unknown` (it may have been sent; never resent).
   */
  private lapsedVerdict(s: DeliveryState, now: Date): LapsedVerdict {
    if (s.claimedBy === this.workerId) return this.dispatcher.lapsedClaim(s.id);
    if (s.claimedBy && this.liveWorkerIds.has(s.claimedBy)) return 'wait';
    const since = this.database.reachableSince;
    if (since === undefined || now.getTime() - since < this.o.botLeaseMs + this.o.tickMs) return 'wait';
    return 'unknown';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.database.close();
    if (this.timer) clearInterval(this.timer);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.stopsTimer) clearInterval(this.stopsTimer);
    this.scheduler?.close();
    await this.ticking?.catch(() => undefined);
    await this.sweeping?.catch(() => undefined);
    await this.dispatcher.close();
    await this.limiters.close();
    const bots = [...this.running];
    this.running.clear();
    await this.fleet.close();
    // bots taken over just now may still be logging in: the fleet stopped them, their start ends here
    await Promise.allSettled([...this.starting]);
    for (const b of bots) await releaseBotLease(this.ctl, b, this.workerId, this.o.clock.now());
    await retireWorker(this.ctl, this.workerId).catch((err: unknown) => this.log.warn({ err }, 'could not remove this worker from the workers list; it lapses by itself'));
    await this.ping.close();
    await this.control?.close().catch(() => undefined);
    await this.sweepReads?.close().catch(() => undefined);
  }

  /** The connection for leases, presences and heartbeats (the store's until start() opened its own). */
  private get ctl(): Store {
    return this.control ?? this.o.store;
  }
}
