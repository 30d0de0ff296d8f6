import { EventEmitter } from 'node:events';
import type { BotLimits } from '../config/bots.js';
import type { Clock } from '../config/clock.js';
import { shanghaiDay } from '../config/clock.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/connection.js';
import { claimChanges, nextEvent, outcomeEvent, retryEvent, type Outcome } from '../outbox/events.js';
import { openDeliveries, sendTimesOfBots, type DeliveryState } from '../outbox/outbox.js';
import { type ClaimAhead } from '../campaigns/plan-run.js';
import { OutboxQueue } from './outbox-queue.js';
import { EventWriter, type DatabaseHealth, type SentUnit } from './event-writer.js';
import type { Pacing } from './send-pacer.js';
import { SendFailure, type PostingBot, type PostReceipt } from './channel-port.js';
import { findGroupById } from '../store/groups-repo.js';
import { afterNotInGroup } from './follow-registry.js';
import { Limiters, NORMAL_PRIORITY, URGENT_PRIORITY } from './limiters.js';
import { CALM, DEFAULT_SEND_POLICY, decideRetry, nextBackoff, type BackoffState, type SendPolicy } from './retry-policy.js';
import { addSendTime, windowCapacity, windowWaitMs } from './send-window.js';
import { postVerdict, type CampaignStop, type PostVerdict } from './post-verdict.js';
import { sleep, waitUntil } from '../shared/precise-wait.js';

export interface DispatcherEvents {
  /** `memberKeys`: the keyed hashes of the members the post reached (computed on demand). */
  'delivery:sent': [{ deliveryId: string; botId: string; roomId: string; groupId: string; campaignId: string; postId: string; sentAt: Date; reach: number; priority: 0 | 1; memberKeys: PostReceipt['memberKeys'] }];
  'delivery:failed': [{ deliveryId: string; botId: string; roomId: string; reason: string; status: 'failed' | 'skipped' | 'unknown' }];
  'delivery:retry': [{ deliveryId: string; botId: string; reason: string; notBefore: Date }];
  'bot:throttled': [{ botId: string; factor: number; cooldownUntil: Date }];
  'bot:recovered': [{ botId: string; factor: number }];
  /** Sent outcomes are in the database (one write, one tally unit; in order): what counters may count. */
  'sent:recorded': [SentUnit];
}

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  workerId: string;
  /** The bot that sends, by id (undefined when not running here). */
  runnerOf: (botId: string) => PostingBot | undefined;
  /** Sending limits of a bot (bots/*.yaml with fleet defaults). */
  limitsOf: (botId: string) => BotLimits;
  limiters: Limiters;
  /** False while this process may not send for the bot (its lease lapsed). @defaultValue always true */
  mayRun?: (botId: string) => boolean;
  policy?: Partial<SendPolicy>;
  /**
   * A send found the bot not in the group: bring the registry up to date (the worker looks at the bot's rooms
   * again first, see Fleet.botMissingFromGroup); resolves with the deliveries that changed.
   */
  botNotInGroup: (botId: string, groupId: string) => Promise<DeliveryState[]>;
  /** How long a claim is held before it counts as abandoned (→ unknown). @defaultValue 120000 */
  leaseMs?: number;
  /** How often an idle lane looks for work. @defaultValue 1000 */
  pollMs?: number;
  /** Divide every gap by this (the demo runs accelerated). @defaultValue 1 */
  gapScale?: number;
  /** Jitter source (0–1). @defaultValue Math.random */
  random?: () => number;
  /** Whether the database answers (the worker's watch): lanes wait quietly while it does not, and writes are kept for it. */
  health?: DatabaseHealth;
  /** The tally session that counts this dispatcher's sent posts: their sent batches carry its units (see `sent:recorded`). */
  tallySession?: string;
}

/** The dispatcher's options with every default resolved (once, here). */
type ResolvedOptions = Omit<DispatcherOptions, 'policy'> & Required<Pick<DispatcherOptions, 'leaseMs' | 'pollMs' | 'gapScale' | 'random'>>;

/** What becomes of a claim of this worker whose lease ran out (see Dispatcher.lapsedClaim). */
export type LapsedClaim = 'wait' | 'planned' | 'unknown';

/**
 * How much earlier than the bot's gap (at most half of it) a lane takes up
 * its next post: what the post needs before the send (its checks, the group's
 * member list from the puppet service, a round trip) is done within the gap,
 * while the bot's turn (PostingBot.post) holds the send itself until the gap
 * is over. 200 ms was too little on a loaded machine (bench:scale with a CPU
 * hog, 10,000 groups: gaps of 1,199 ms at the median, 1,044 ms with 500).
 */
export const LANE_LEAD_MS = 500;

export const DISPATCHER_DEFAULTS = { leaseMs: 120_000, pollMs: 1000, gapScale: 1, random: Math.random } as const;

/** How a lane runs: until stopped (a worker), or until nothing is due (a drain: demo, tools). */
interface LaneMode {
  signal?: AbortSignal;
  untilIdle?: boolean;
  /** A drain ends instead of waiting longer than this for its limits. @defaultValue 60000 */
  maxWaitMs?: number;
}

/** One lane's state: its bot, its send times for the sliding windows, its batch size, and the batch claimed ahead. */
interface Lane {
  botId: string;
  mode: LaneMode;
  recent: number[];
  max: number;
  next: Promise<DeliveryState[]> | undefined;
}

/**
 * Sends what the outbox holds, one lane per bot: wait out the bot's back-off
 * and sliding minute/hour/day windows, take the next due deliveries from the
 * worker's in-memory queue (urgent first), claim them atomically in the
 * database, pass the bot's and the fleet's bottleneck limiters (urgent first
 * there too), `say` each, record its outcome with reach, and hold the lane for
 * the bot's gap plus jitter between posts. A delivery is claimed before it is
 * sent, so a crash can lose a confirmation but never post twice. The queue is
 * filled by `enqueue` (the local planner's hand-off) and `refresh` (a read of
 * the outbox: deliveries planned by other workers, moved here, retried).
 */
export class Dispatcher extends EventEmitter<DispatcherEvents> {
  private readonly policy: SendPolicy;
  private readonly backoff = new Map<string, BackoffState>();
  /** Per bot, the jitter (0–1 of its jitter) drawn for its next post: the lane waits for it, the bot's turn holds the send to it. */
  private readonly jitterOf = new Map<string, number>();
  private readonly lanes = new Map<string, { stop: AbortController; done: Promise<void> }>();
  private readonly events: EventWriter;
  /** Campaigns paused or cancelled (the worker's sweep says which): their posts are held or skipped, not sent. */
  private stops: ReadonlyMap<string, CampaignStop> = new Map();
  /** Groups an officer paused lately through a bot of this worker, and when: what a lane claimed before that is skipped. */
  private readonly groupPauses = new Map<string, Date>();
  private readonly queue = new OutboxQueue((s) => this.accepts(s.botId) && !this.stops.has(s.campaignId));
  /** Per bot: deliveries this worker claimed when it planned them, waiting for the bot's lane (in the queue's in-flight set). */
  private readonly ready = new Map<string, DeliveryState[]>();
  /** Per bot with a running lane: its send times (ms, ascending) for the sliding windows. */
  private readonly recent = new Map<string, number[]>();
  private sendTimes: { at: number; times: Promise<Map<string, number[]>> } | undefined;
  /** When the local planner last handed this worker deliveries of a run, by run. */
  private readonly handedAt = new Map<string, number>();
  /** Deliveries this process claimed (in a lane, or as the planner wrote them) whose outcome is not in the database yet. */
  private readonly claimedHere = new Set<string>();
  /** Of those, the ones whose send was started: they may have gone out. */
  private readonly said = new Set<string>();

  private readonly o: ResolvedOptions;

  constructor(options: DispatcherOptions) {
    super();
    this.o = { ...DISPATCHER_DEFAULTS, ...options };
    this.policy = { ...DEFAULT_SEND_POLICY, ...options.policy };
    this.events = new EventWriter(options.store, {
      health: options.health,
      onError: (err, lost) => options.log.error({ err, lost }, 'could not record the outcomes of sent or settled posts (three tries); those deliveries become unknown, never resent'),
      ...(options.tallySession ? { tally: { session: options.tallySession, written: (unit: SentUnit) => this.emit('sent:recorded', unit) } } : {}),
      onWritten: (ids) => {
        for (const id of ids) {
          this.claimedHere.delete(id);
          this.said.delete(id);
        }
      },
    });
  }

  /**
   * A claim of this worker whose lease ran out, as the sweep finds it: `wait`
   * while a lane holds it or its outcome is on its way; `planned` when this
   * process claimed it and never started its send (it goes back to planned,
   * not `unknown`: an outage longer than a lease must not cost a warning);
   * `unknown` when its send was started and its outcome never written, or
   * when another process with this worker's id claimed it (it may have sent it).
   */
  lapsedClaim(deliveryId: string): LapsedClaim {
    if (this.queue.isInFlight(deliveryId) || this.events.isUnwritten(deliveryId)) return 'wait';
    if (this.said.has(deliveryId)) return 'unknown';
    return this.claimedHere.has(deliveryId) ? 'planned' : 'unknown';
  }

  /** A claim this worker gave back after its lease ran out (the sweep wrote it): forget it. */
  forgetClaim(deliveryId: string): void {
    this.claimedHere.delete(deliveryId);
  }

  backoffOf(botId: string): BackoffState {
    return this.backoff.get(botId) ?? CALM;
  }

  /**
   * How a bot's messages are spaced now: its minimum gap plus the jitter drawn for its next post, stretched
   * while it backs off, held through a cool-down. The worker's bots space every message by it (answers,
   * replies to officers), not only posts; the bot's turn holds each send to it, so a lane that comes back
   * early (LANE_LEAD_MS) never shortens the jitter.
   */
  pacingOf(botId: string): Pacing {
    return { gapMs: this.gapMs(botId, this.jitterOf.get(botId) ?? 0), holdMs: Math.max(0, this.backoffOf(botId).cooldownUntil - this.o.clock.now().getTime()) };
  }

  /** A bot's gap now: its minimum gap plus `jitter` (0–1) of its jitter, stretched while it backs off (and shrunk by a demo's speed-up). */
  private gapMs(botId: string, jitter: number): number {
    const l = this.o.limitsOf(botId);
    return ((l.minGapMs + jitter * l.jitterMs) * this.backoffOf(botId).factor) / this.o.gapScale;
  }

  /**
   * The local planner's hand-off of each chunk it wrote: planned deliveries
   * for the bots running here are queued, the ones claimed for this worker
   * as they were written go straight to their bot's lane. Only the planner
   * calls this, once per written delivery: a claimed delivery read back from
   * the outbox (a sweep) may be sent already and is never taken from a read.
   */
  enqueue(states: Iterable<DeliveryState>): void {
    const planned: DeliveryState[] = [];
    const held: DeliveryState[] = [];
    const orphaned: DeliveryState[] = [];
    const at = this.o.clock.now().getTime();
    for (const s of states) {
      this.handedAt.set(s.runId, at);
      if (s.status === 'planned') planned.push(s);
      else if (s.status === 'sending' && s.claimedBy === this.o.workerId && s.seq === 1 && !this.queue.isInFlight(s.id)) {
        if (!this.lanes.has(s.botId) || !this.accepts(s.botId)) orphaned.push(s);
        else {
          held.push(s);
          this.claimedHere.add(s.id);
          (this.ready.get(s.botId) ?? this.ready.set(s.botId, []).get(s.botId)!).push(s);
        }
      }
    }
    this.queue.hold(held);
    this.queue.add(planned);
    // claimed for a bot that stopped here meanwhile: back to planned, for whoever runs it
    if (orphaned.length) {
      this.queue.hold(orphaned);
      void this.giveBack(orphaned, this.o.clock.now(), 'returned unsent to the queue', false).catch((err: unknown) => {
        for (const s of orphaned) this.queue.settle(s.id);
        this.o.log.error({ err, deliveries: orphaned.length }, 'could not give back deliveries claimed for a bot that stopped; they will become unknown');
      });
    }
  }

  /**
   * The runs the local planner handed here in the last `withinMs` of which
   * posts are still queued or in flight here: this worker knows them
   * first-hand (its periodic sweep leaves them alone for that long).
   */
  runsInHand(withinMs: number): Set<string> {
    const since = this.o.clock.now().getTime() - withinMs;
    for (const [id, at] of this.handedAt) if (at < since) this.handedAt.delete(id);
    if (this.handedAt.size === 0) return new Set();
    const held = this.queue.runs();
    return new Set([...this.handedAt.keys()].filter((id) => held.has(id)));
  }

  /**
   * Claiming at planning (the local planner's side): room for a bot is what
   * its lane would claim now — nothing while the bot is not sendable here, is
   * cooling down, its windows are full, or it has queued deliveries (they go
   * first) — less what it holds already.
   */
  claimAhead(): ClaimAhead {
    const leaseMs = this.o.leaseMs;
    return {
      claim: () => {
        // posts follow within an insert's round trip: the fleet-wide allowance is drawn meanwhile
        this.o.limiters.fleetPosts.prepare();
        const at = this.o.clock.now();
        return { workerId: this.o.workerId, at, leaseUntil: new Date(at.getTime() + leaseMs) };
      },
      // known before the insert: a claim written by an insert whose answer was lost is still known as ours, never sent
      claimed: (ids) => {
        for (const id of ids) this.claimedHere.add(id);
      },
      room: (botId) => {
        const recent = this.recent.get(botId);
        const now = this.o.clock.now().getTime();
        if (!recent || !this.lanes.has(botId) || !this.o.runnerOf(botId)?.isOnline || this.o.mayRun?.(botId) === false) return 0;
        if (this.backoffOf(botId).cooldownUntil > now || this.queue.size(botId) > 0 || windowWaitMs(recent, this.o.limitsOf(botId), now) > 0) return 0;
        return Math.max(0, this.batchMax(botId, recent, now) - this.queue.inFlightOf(botId));
      },
    };
  }

  /** Queue the planned deliveries the outbox holds for the bots running here: `states` a sweep already read, or a fresh read. */
  async refresh(states?: readonly DeliveryState[]): Promise<void> {
    this.queue.add(states ?? (await openDeliveries(this.o.store)));
  }

  /**
   * Campaigns whose posts must not go out now: a paused one's wait in the
   * outbox (sent after it is resumed), a cancelled one's are skipped — those
   * queued here at once, and one a lane already holds just before its `say`.
   */
  stopCampaigns(stops: ReadonlyMap<string, CampaignStop>): void {
    // read every second: the queue is only gone through when a campaign was paused or cancelled since
    const added = [...stops].some(([id, stop]) => this.stops.get(id) !== stop);
    this.stops = stops;
    if (added) this.queue.dropRefused();
  }

  /**
   * An officer paused (or resumed) a group at `at`: through a bot of this
   * worker (now), or of another one (read from `group_pauses`). The group's
   * planned posts are skipped in the outbox; the ones a lane here claimed
   * before the pause are skipped when the lane reaches them. Kept for a
   * claim's lease: a claim older than that is not sent anyway.
   */
  pauseGroup(groupId: string, paused: boolean, at: Date = this.o.clock.now()): void {
    const since = this.groupPausesSince().getTime();
    for (const [id, pausedAt] of this.groupPauses) if (pausedAt.getTime() < since) this.groupPauses.delete(id);
    const known = this.groupPauses.get(groupId);
    // the later of two news of a pause counts; a resume undoes a pause that came before it
    if (paused) {
      if (!known || known.getTime() < at.getTime()) this.groupPauses.set(groupId, at);
    } else if (known && known.getTime() <= at.getTime()) this.groupPauses.delete(groupId);
  }

  /** How far back a group's pause can still matter here: a claim's lease. */
  groupPausesSince(): Date {
    return new Date(this.o.clock.now().getTime() - (this.o.leaseMs));
  }

  /** Posts queued or in flight here for a bot. */
  queuedFor(botId: string): number {
    return this.queue.size(botId) + this.queue.inFlightOf(botId);
  }

  /** Does a bot send from this worker now? */
  private accepts(botId: string): boolean {
    return this.o.runnerOf(botId) !== undefined && this.o.mayRun?.(botId) !== false;
  }

  /**
   * Resolves when nothing is queued or in flight here and every outcome is
   * written; running lanes keep running (benchmarks, tools: deliveries that
   * cannot go now — a bot offline, a later not-before — keep it waiting).
   */
  async whenIdle(pollMs = 10): Promise<void> {
    while (this.queue.size() > 0 || this.queue.inFlightCount > 0) await sleep(pollMs);
    await this.events.flush();
  }

  /** Run a bot's lane until stopped (a worker's normal mode). */
  startLane(botId: string): void {
    if (this.lanes.has(botId)) return;
    const stop = new AbortController();
    const done = (async () => {
      // a lane never dies of one error: log it, wait a moment, go on
      while (!stop.signal.aborted) {
        try {
          await this.lane(botId, { signal: stop.signal });
        } catch (err) {
          // the database out of reach is said once by the worker's watch; the lane waits for it quietly
          if (this.o.health?.noteFailure(err)) this.o.log.debug({ botId, err }, 'lane waits for the database');
          else this.o.log.error({ botId, err }, 'lane error; restarting the lane');
          await sleep(this.o.pollMs, stop.signal);
        }
      }
    })();
    this.lanes.set(botId, { stop, done });
  }

  async stopLane(botId: string): Promise<void> {
    const l = this.lanes.get(botId);
    if (!l) return;
    l.stop.abort();
    await l.done;
    this.lanes.delete(botId);
    this.recent.delete(botId);
    this.queue.dropBot(botId);
  }

  /**
   * Send every due delivery of these bots and return when none is left (demo,
   * tests). A lane that would have to wait longer than `maxWaitMs` for its
   * limits returns and leaves the rest planned.
   */
  async drain(botIds: readonly string[], maxWaitMs = 60_000): Promise<void> {
    await this.refresh();
    await Promise.all(botIds.map((b) => this.lane(b, { untilIdle: true, maxWaitMs })));
  }

  async close(): Promise<void> {
    await Promise.all([...this.lanes.keys()].map((b) => this.stopLane(b)));
    // with the database answering, every outcome is written; without it, what waits is given up (and said)
    await this.events.flush({ waitForDatabase: this.o.health?.reachable ?? true });
    const lost = this.events.close();
    if (lost) this.o.log.warn({ outcomes: lost }, 'stopping while the database does not answer: these outcomes were not written; their deliveries become unknown, never resent');
  }

  /** One lane: a bot's deliveries, sent in order with its gaps, until stopped (or, when draining, until none is due). */
  private async lane(botId: string, mode: LaneMode): Promise<void> {
    const lane: Lane = { botId, mode, recent: [...((await this.recentSendTimes()).get(botId) ?? [])].sort((a, b) => a - b), max: 1, next: undefined };
    this.recent.set(botId, lane.recent);
    // a bot taken over from a worker that died: its first post keeps the gap after its last one recorded there
    // (one handed over gracefully is given back after its gap, see BotRunner.stop)
    const last = lane.recent.at(-1);
    if (last !== undefined) await waitUntil(performance.now() + Math.min(this.gapMs(botId, 0), last + this.gapMs(botId, 0) - this.o.clock.now().getTime()), mode.signal);
    try {
      while (!mode.signal?.aborted) {
        const waitMs = this.whyWait(lane);
        if (waitMs !== undefined) {
          // the pipelined batch goes back whenever the lane has to wait
          await this.dropNext(lane);
          if (!(await this.pause(lane, waitMs))) break;
          continue;
        }
        // an urgent post that became due goes first: what was claimed ahead goes back to be claimed in order
        if ((lane.next || this.ready.has(botId)) && this.queue.urgentDue(botId, this.o.clock.now())) await this.dropNext(lane);
        const batch = await this.nextBatch(lane);
        if (batch === 'retry') continue;
        if (batch.length === 0) {
          if (!(await this.waitForWork(lane))) break;
          continue;
        }
        await this.sendInSlot(lane, batch);
      }
    } finally {
      // a lane that stops or fails gives its pipelined batch back (else it would turn unknown)
      await this.dropNext(lane);
    }
    // (a lane that stops during a database outage leaves its outcomes to be written when it is back)
    await this.events.flush({ waitForDatabase: this.o.health?.reachable ?? true });
  }

  /** How long the lane must wait before it claims anything (offline, cooling down, windows full); undefined: it may go on. */
  private whyWait(lane: Lane): number | undefined {
    const { botId } = lane;
    if (!this.mayRunLane(botId)) return this.o.pollMs;
    // nothing can be claimed or recorded while the database does not answer
    if (this.o.health && !this.o.health.reachable) return this.o.pollMs;
    const now = this.o.clock.now().getTime();
    const cooldown = this.backoffOf(botId).cooldownUntil - now;
    if (cooldown > 0) return cooldown;
    const w = windowWaitMs(lane.recent, this.o.limitsOf(botId), now);
    return w > 0 ? w : undefined;
  }

  /** Is the bot online here, and may this worker send for it? */
  private mayRunLane(botId: string): boolean {
    return this.o.runnerOf(botId)?.isOnline === true && this.o.mayRun?.(botId) !== false;
  }

  /** Wait `ms` (false: a drain that would wait longer than its limit ends instead). */
  private async pause(lane: Lane, ms: number): Promise<boolean> {
    if (lane.mode.untilIdle && (!this.mayRunLane(lane.botId) || ms > (lane.mode.maxWaitMs ?? 60_000))) return false;
    await sleep(ms, lane.mode.signal);
    return true;
  }

  /** Nothing due: a drain ends; a running lane waits until something is queued or the next one is due. */
  private async waitForWork(lane: Lane): Promise<boolean> {
    const { botId, mode } = lane;
    if (mode.untilIdle) return false;
    const next = this.queue.nextDueAt(botId);
    const ms = next === undefined ? this.o.pollMs : Math.min(this.o.pollMs, Math.max(1, next - this.o.clock.now().getTime()));
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe();
        mode.signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const unsubscribe = this.queue.onAdded(done);
      mode.signal?.addEventListener('abort', done, { once: true });
      // work that came while this lane was looking needs no wait
      if (mode.signal?.aborted || this.ready.has(botId) || this.queue.hasDue(botId, this.o.clock.now())) done();
    });
    return true;
  }

  /**
   * The next deliveries to send, claimed: those claimed when they were planned
   * first (they were due before anything queued since), else the batch claimed
   * ahead, else a claim from the queue now. `retry`: a batch claimed ahead
   * came back empty (look again at once).
   */
  private async nextBatch(lane: Lane): Promise<DeliveryState[] | 'retry'> {
    const ready = this.takeReady(lane.botId);
    if (ready.length) return ready;
    const pipelined = lane.next;
    lane.next = undefined;
    lane.max = this.batchMax(lane.botId, lane.recent, this.o.clock.now().getTime());
    const batch = pipelined ? await pipelined : await this.claimFromQueue(lane.botId, lane.max);
    return batch.length === 0 && pipelined ? 'retry' : batch;
  }

  /**
   * Send a batch in the bot's limiter slot, and the batches claimed ahead
   * while it holds it. The bot's limiter holds its single slot while the
   * lane sends with the bot's gaps; posts are counted against the fleet-wide
   * limit batch by batch (FleetTokens). Every job has an expiration: in a
   * Redis cluster it is what frees the slot of a worker that died mid-job.
   */
  private async sendInSlot(lane: Lane, first: DeliveryState[]): Promise<void> {
    const { botId } = lane;
    const leaseMs = this.o.leaseMs;
    const priority = first[0]!.priority === 1 ? URGENT_PRIORITY : NORMAL_PRIORITY;
    await this.o.limiters.bot(botId).schedule({ priority, expiration: leaseMs }, async () => {
      const started = Date.now();
      // the lane keeps the bot's slot for the batches it claimed ahead (each bottleneck job costs
      // several turns of the event loop), for at most half its expiration
      for (let batch = first; batch.length > 0; ) {
        await this.o.limiters.fleetPosts.take(batch.length, batch[0]!.priority === 1);
        if (!(await this.sendBatch(lane, batch))) return;
        if (Date.now() - started > leaseMs / 2 || lane.mode.signal?.aborted || this.queue.urgentDue(botId, this.o.clock.now())) return;
        batch = this.takeReady(botId);
        if (batch.length === 0 && lane.next) {
          batch = await lane.next;
          lane.next = undefined;
        }
      }
    });
  }

  /** Send each delivery of a batch in turn, with the bot's gap between them; false when the lane had to stop part-way (the rest went back). */
  private async sendBatch(lane: Lane, batch: readonly DeliveryState[]): Promise<boolean> {
    const { botId } = lane;
    const runner = this.o.runnerOf(botId)!;
    for (let i = 0; i < batch.length; i++) {
      const d = batch[i]!;
      const stop = this.mustStop(lane, d, i);
      if (stop) {
        // not sent: give the rest back, to be claimed again in order (urgent first)
        const t = this.o.clock.now().getTime();
        await this.giveBack(batch.slice(i), new Date(Math.max(t, this.backoffOf(botId).cooldownUntil)), 'returned unsent to the queue', false);
        return false;
      }
      const verdict = this.verdictOf(d);
      if (verdict.kind !== 'send') {
        await this.withhold(d, verdict);
        continue;
      }
      this.claimAheadIfHalfDone(lane, batch.length - i);
      if (await this.send(runner, d)) addSendTime(lane.recent, this.o.clock.now().getTime());
      // the bot's turn keeps the gap exactly (from the end of its last message): the lane comes back a little early,
      // so its next post's checks and the read of the group's members are done when the gap ends, not after it
      const jitter = this.o.random();
      this.jitterOf.set(botId, jitter);
      const gap = this.gapMs(botId, jitter);
      await waitUntil(performance.now() + gap - Math.min(LANE_LEAD_MS, gap / 2), lane.mode.signal);
    }
    return true;
  }

  /**
   * Why the lane stops before the `i`-th delivery of its batch, if it must:
   * stopped, the bot offline or no longer this worker's, cooling down, its
   * windows full, or an urgent post due while it holds normal ones.
   */
  private mustStop(lane: Lane, d: DeliveryState, i: number): string | undefined {
    const { botId } = lane;
    const now = this.o.clock.now();
    if (lane.mode.signal?.aborted) return 'lane stopped';
    if (!this.mayRunLane(botId)) return 'bot offline or moved';
    if (this.backoffOf(botId).cooldownUntil > now.getTime()) return 'bot cooling down';
    if (windowWaitMs(lane.recent, this.o.limitsOf(botId), now.getTime()) > 0) return 'limit window full';
    if (d.priority === 0 && i > 0 && this.queue.urgentDue(botId, now)) return 'urgent post due';
    return undefined;
  }

  /**
   * A lane that claims many at a time claims its next batch while half a batch
   * is still in hand, so it never waits for a claim (claiming the moment
   * anything is queued took the first few rows only: their batch ran out
   * before the full claim after it came back); not while an urgent one is due
   * (it must not hide in a claimed batch).
   */
  private claimAheadIfHalfDone(lane: Lane, left: number): void {
    const at = this.o.clock.now();
    if (!lane.next && lane.max > 1 && left + this.readyCount(lane.botId) <= lane.max / 2 && !this.queue.urgentDue(lane.botId, at) && this.queue.hasDue(lane.botId, at)) {
      lane.next = this.claimFromQueue(lane.botId, lane.max);
    }
  }

  /** Give back what the lane claimed ahead (it has to wait, or an urgent post came). */
  private async dropNext(lane: Lane): Promise<void> {
    const claimed = [...this.takeReady(lane.botId), ...(lane.next ? await lane.next.catch(() => []) : [])];
    lane.next = undefined;
    if (claimed.length) await this.giveBack(claimed, this.o.clock.now(), 'returned unsent to the queue', false);
  }

  /**
   * How many deliveries a lane claims at a time. Fast bots claim in batches (as
   * many as the windows allow and the bot can send in about two seconds) to
   * keep database work per post small; bots with real gaps (≥ 0.5 s) claim one
   * at a time, so a crash leaves at most one claimed delivery per bot as `unknown`.
   */
  private batchMax(botId: string, recent: readonly number[], now: number): number {
    const limits = this.o.limitsOf(botId);
    const perPost = (limits.minGapMs + limits.jitterMs / 2) / this.o.gapScale;
    return perPost >= 500 ? 1 : Math.max(1, Math.min(windowCapacity(recent, limits, now), perPost <= 0 ? 200 : Math.floor(2000 / perPost), 200, this.o.limiters.fleetPosts.allowance));
  }

  /** How many deliveries claimed at planning wait for this bot's lane. */
  private readyCount(botId: string): number {
    return this.ready.get(botId)?.length ?? 0;
  }

  /** The deliveries claimed at planning that wait for this bot's lane (taken: the lane sends them now). */
  private takeReady(botId: string): DeliveryState[] {
    const r = this.ready.get(botId);
    this.ready.delete(botId);
    return r ?? [];
  }

  /** Take due deliveries of a bot from the queue and claim them; returns the ones won. */
  private async claimFromQueue(botId: string, max: number): Promise<DeliveryState[]> {
    const taken = this.queue.take(botId, this.o.clock.now(), max);
    if (taken.length === 0) return [];
    const batch = await this.events.write(claimChanges(taken, { workerId: this.o.workerId, leaseMs: this.o.leaseMs, now: this.o.clock.now() })).catch((err: unknown) => {
      // the insert may have been written though its answer was lost: should these claims turn up lapsed, this worker
      // knows it never sent them
      for (const t of taken) {
        this.claimedHere.add(t.id);
        this.queue.putBack(t);
      }
      throw err;
    });
    // a lost claim: someone changed that delivery first (claimed, moved, skipped); the next refresh shows it
    const won = new Set(batch.map((d) => d.id));
    for (const t of taken) if (!won.has(t.id)) this.queue.settle(t.id);
    for (const d of batch) this.claimedHere.add(d.id);
    return batch;
  }

  /** Send times of every bot in the last day (one read shared by lanes that start together). */
  private recentSendTimes(): Promise<Map<string, number[]>> {
    const t = performance.now();
    if (!this.sendTimes || t - this.sendTimes.at > 1000) {
      this.sendTimes = { at: t, times: sendTimesOfBots(this.o.store, new Date(this.o.clock.now().getTime() - 86_400_000)) };
    }
    return this.sendTimes.times;
  }

  /** Give claimed deliveries back to the queue, due at `notBefore`. */
  private async giveBack(states: readonly DeliveryState[], notBefore: Date, reason: string, failed: boolean): Promise<void> {
    const now = this.o.clock.now();
    const back = await this.events.write(states.map((s) => ({ state: s, event: retryEvent(s, notBefore, reason, failed, this.o.workerId, now) })));
    const ok = new Set(back.map((s) => s.id));
    for (const s of states) if (!ok.has(s.id)) this.queue.settle(s.id);
    for (const s of back) this.queue.putBack(s);
  }

  /**
   * The bot is not in the delivery's group (removed while no worker listened, so no leave event came, or the
   * room's id changed). The post was not sent: it goes back to planned, the registry is brought up to date,
   * and the post follows it (see afterNotInGroup).
   */
  private async notInGroup(d: DeliveryState, reason: string, log: () => Logger): Promise<void> {
    const now = this.o.clock.now();
    const [back] = await this.events.write([{ state: d, event: retryEvent(d, now, reason, false, this.o.workerId, now) }]);
    this.queue.settle(d.id);
    if (!back) return;
    const changed = await this.o.botNotInGroup(d.botId, d.groupId);
    this.queue.add(changed);
    let mine = changed.find((s) => s.id === d.id);
    if (!mine) {
      // not among what the registry's change moved (a changed room id moves posts without listing them; an
      // unknown group; a bot that went offline meanwhile): follow the registry here
      const next = afterNotInGroup(back, await findGroupById(this.o.store, d.groupId), this.o.runnerOf(d.botId)?.isOnline === true, reason);
      if (next.kind === 'keep') {
        this.queue.add([back]);
        return;
      }
      const event = next.kind === 'skip' ? nextEvent(back, 'skipped', now, { reason: next.reason }) : nextEvent(back, 'moved', now, { roomId: next.roomId, ...(next.botId ? { botId: next.botId } : {}) });
      [mine] = await this.events.write([{ state: back, event }]);
      // lost: it changed meanwhile (moved to the room's new id); the next sweep queues it as it is now
      if (!mine) return;
      this.queue.add([mine]);
    }
    if (mine.status === 'planned') return;
    log().warn({ reason, why: mine.reason }, 'bot not in the group; delivery skipped');
    this.emit('delivery:failed', { deliveryId: d.id, botId: d.botId, roomId: d.roomId, reason, status: 'skipped' });
  }

  /**
   * A failed send of the bot (a post, or a reply: an answer, a reply to an officer): a throttling sign
   * or timeouts in a row stretch its gap and pause it, for its posts and replies alike.
   */
  backOffOn(botId: string, failure: SendFailure, log: () => Logger = () => this.o.log.child({ botId })): BackoffState {
    const now = this.o.clock.now().getTime();
    const before = this.backoffOf(botId);
    const after = nextBackoff(before, failure.kind, now, this.policy, failure.retryAfterMs);
    this.backoff.set(botId, after);
    if (after.factor > before.factor) {
      log().warn({ factor: after.factor, cooldownSec: Math.round((after.cooldownUntil - now) / 1000), reason: failure.message }, 'bot throttled: backing off');
      this.emit('bot:throttled', { botId, factor: after.factor, cooldownUntil: new Date(after.cooldownUntil) });
    }
    return after;
  }

  /** May a claimed post still go out now (its campaign, validity, quiet hours; this worker still runs its bot)? */
  private verdictOf(d: DeliveryState): PostVerdict {
    const now = this.o.clock.now();
    if (this.o.mayRun?.(d.botId) === false) return { kind: 'hold', until: now, reason: 'returned unsent to the queue' };
    return postVerdict(d, { campaign: this.stops.get(d.campaignId), groupPausedAt: this.groupPauses.get(d.groupId) }, now);
  }

  /** A claimed post that must not go out now: skipped, or back to the queue until it may. */
  private async withhold(d: DeliveryState, verdict: Exclude<PostVerdict, { kind: 'send' }>): Promise<void> {
    if (verdict.kind === 'skip') this.skip(d, verdict.reason);
    else await this.giveBack([d], verdict.until, verdict.reason, false);
  }

  /** A claimed delivery that must not go out: skipped with the reason (recorded, counted, reported). */
  private skip(d: DeliveryState, reason: string): void {
    this.settle(d, { status: 'skipped', reason });
    this.emit('delivery:failed', { deliveryId: d.id, botId: d.botId, roomId: d.roomId, reason, status: 'skipped' });
  }

  /** Record a claimed delivery's outcome (batched) and forget it here. */
  private settle(d: DeliveryState, outcome: Outcome): void {
    this.events.add(d, outcomeEvent(d, outcome, this.o.workerId, this.o.clock.now()));
    this.queue.settle(d.id);
  }

  /** Send one claimed delivery; true when it was posted. */
  private async send(bot: PostingBot, d: DeliveryState): Promise<boolean> {
    const log = (): Logger => this.o.log.child({ botId: d.botId, campaignId: d.campaignId, groupId: d.groupId });
    let late: PostVerdict = { kind: 'send' };
    let receipt: PostReceipt | undefined;
    // from here it may go out: a claim whose lease runs out now is never given back as unsent
    this.said.add(d.id);
    try {
      // looked at again in the bot's turn: a reply or a cool-down ahead of it may have held it long enough to change that
      receipt = await bot.post(d.roomId, d.text, () => (late = this.verdictOf(d)).kind === 'send');
    } catch (err) {
      await this.failed(d, err instanceof SendFailure ? err : new SendFailure('refused', (err as Error)?.message ?? String(err), { cause: err }), log);
      return false;
    }
    if (!receipt) {
      if (late.kind !== 'send') await this.withhold(d, late);
      return false;
    }
    const sentAt = this.o.clock.now();
    this.settle(d, { status: 'sent', reach: receipt.reach, sentAt, day: shanghaiDay(sentAt) });
    const before = this.backoffOf(d.botId);
    const after = nextBackoff(before, 'ok', sentAt.getTime(), this.policy);
    this.backoff.set(d.botId, after);
    if (after.factor < before.factor) {
      log().info({ factor: after.factor }, 'bot recovering from throttling: gap reduced');
      this.emit('bot:recovered', { botId: d.botId, factor: after.factor });
    }
    this.emit('delivery:sent', { deliveryId: d.id, botId: d.botId, roomId: d.roomId, groupId: d.groupId, campaignId: d.campaignId, postId: d.postId, sentAt, reach: receipt.reach, priority: d.priority, memberKeys: receipt.memberKeys });
    return true;
  }

  /** A send failed: back the bot off as its failure says, and do with the post what the retry policy decides. */
  private async failed(d: DeliveryState, failure: SendFailure, log: () => Logger): Promise<void> {
    const after = this.backOffOn(d.botId, failure, log);
    const now = this.o.clock.now();
    const reason = failure.message;
    const decision = decideRetry(failure.kind, d.failures, now.getTime(), after.cooldownUntil, this.policy);
    switch (decision.kind) {
      case 'give-up':
        if (decision.status === 'unknown') {
          this.settle(d, { status: 'unknown', reason: `send unconfirmed (timed out, or its connection dropped), may or may not have been posted; not resent: ${reason}` });
          log().warn({ reason }, 'send unconfirmed; delivery marked unknown');
        } else {
          this.settle(d, { status: 'failed', reason });
          log().warn({ reason, failures: d.failures + 1 }, 'delivery failed');
        }
        this.emit('delivery:failed', { deliveryId: d.id, botId: d.botId, roomId: d.roomId, reason, status: decision.status });
        return;
      case 'follow-registry':
        await this.notInGroup(d, reason, log);
        return;
      case 'retry':
        await this.giveBack([d], new Date(decision.at), reason, decision.failed);
        if (failure.kind === 'logged-out') {
          // the bot itself went offline (logged out, banned, puppet gone): the sweep moves its posts to another member bot
          log().info({ reason }, 'bot went offline while sending; delivery returned to the queue');
          return;
        }
        log().info({ failures: d.failures + (decision.failed ? 1 : 0), notBefore: new Date(decision.at), reason }, 'send failed; will retry');
        this.emit('delivery:retry', { deliveryId: d.id, botId: d.botId, reason, notBefore: new Date(decision.at) });
    }
  }
}
