import { EventEmitter } from 'node:events';
import type { FleetConfig } from '../config/bots.js';
import type { Clock } from '../config/clock.js';
import type { Logger } from '../log/logger.js';
import type { MemberKeyer } from '../audience/member-key.js';
import { toSeenGroup } from '../audience/group-sync.js';
import type { Store } from '../store/connection.js';
import { findGroupById, registerSeenGroups, seenEntriesReader } from '../store/groups-repo.js';
import { knownBotContactIds, recordBotState, recordLoginQr } from '../store/bots-repo.js';
import type { DeliveryState } from '../outbox/delivery-state.js';
import type { Pacing } from '../delivery/send-pacer.js';
import type { SendFailure } from '../delivery/channel-port.js';
import type { ChannelBot, ChannelFactory, InboundHandlers } from '../channels/channel.js';
import { scrubSecrets } from '../log/secrets.js';
import { GroupMembership, followRename, forgetBotInGroup, type GroupContent, type OfficerAudit, type OfficerDirectory } from './group-membership.js';
import { JoinedCalls } from '../shared/joined-calls.js';
import { sleep } from '../shared/precise-wait.js';
import type { SeenGroup } from '../shared/groups.js';

/** A bot's rooms looked at less than this long ago are not asked for again when a send finds it missing from a group. */
const LOOK_AGAIN_MS = 60_000;
/** How long a registration waits for looks still being read, and for a room read when none comes (see looksComing). */
const LOOKS_GATHER_MS = 5 * 60_000;
const LOOKS_STALL_MS = 5_000;

/** Typed events of the whole fleet (progress output and the operator view subscribe). */
export interface FleetEvents {
  'bot:login': [{ botId: string }];
  'bot:failed': [{ botId: string; error: Error }];
  'bot:logout': [{ botId: string; reason: string }];
  /** A bot that logged out is back (its rooms looked at again). */
  'bot:relogin': [{ botId: string }];
  'group:registered': [{ botId: string; roomId: string; topic: string; created: boolean }];
  /** An officer paused or resumed a group's posts in the group (through this bot). */
  'group:paused': [{ botId: string; groupId: string; paused: boolean }];
}

export interface FleetOptions {
  config: FleetConfig;
  store: Store;
  keyer: MemberKeyer;
  log: Logger;
  clock: Clock;
  /** How bots reach their groups (WeChat through Wechaty: `wechatyChannel()`). */
  channel: ChannelFactory;
  /** Reviewed texts, reference data and tagging rules for the bots' manners in groups. */
  content: GroupContent;
  /** This worker's id (claims, leases). @defaultValue `<hostname-less> pid` */
  workerId?: string;
  /** Who the officers are: users with a bound WeChat id (invitations and in-group commands). */
  officers: OfficerDirectory;
  /** Where officers' commands in groups are recorded (the audit). */
  audit?: OfficerAudit | undefined;
  /** What to do with inbound messages (scam check, engagement). */
  inbound?: InboundHandlers | undefined;
  /** Only these bots. @defaultValue every enabled bot */
  botIds?: string[];
  /** How each bot's messages are spaced, and what a failed reply tells (a worker's dispatcher knows back-off). @defaultValue each bot's minimum gap */
  pacing?: BotPacing;
}

/** Who knows how a bot's messages are spaced (a worker's dispatcher: limits and back-off). */
export interface BotPacing {
  pacingOf(botId: string): Pacing;
  /** A reply of the bot failed: a throttling sign or timeouts back the bot off, as a failed post does. */
  backOffOn(botId: string, failure: SendFailure): unknown;
}

export interface FleetStartResult {
  online: string[];
  failed: { botId: string; error: Error }[];
}

/**
 * The bots of this worker. A bot that cannot start fails alone, with a
 * message naming it; the others keep running.
 */
export class Fleet extends EventEmitter<FleetEvents> {
  private readonly runners = new Map<string, ChannelBot>();
  /** Bots still logging in: `close()` stops them too, or their puppet connection would keep the process alive. */
  private readonly starting = new Set<ChannelBot>();
  /** The accounts of the fleet's bots in every worker, as the `bots` collection last said (see isFleetBot). */
  private fleetAccounts = new Set<string>();
  private closed = false;
  /**
   * The bots' looks around, registered against the registry as last read (one read while nothing changes it);
   * looks made while one is registered go together next (one read for many bots logging in, not one each).
   */
  private readonly registrations: JoinedCalls<SeenGroup, Map<string, boolean>>;
  /** Bots reading their rooms now: their looks are coming (see looksComing); and when a room was last read. */
  private looking = 0;
  private lastRoomRead = 0;
  /** Per bot: when a send that found it missing from a group last made it look at its rooms, and which it saw. */
  private readonly lookedAround = new Map<string, { at: number; roomIds: Set<string> }>();
  private readonly log: Logger;
  readonly workerId: string;

  constructor(private readonly o: FleetOptions) {
    super();
    this.log = o.log.child({ module: 'fleet' });
    this.workerId = o.workerId ?? `worker-${process.pid}`;
    const registry = seenEntriesReader(o.store);
    this.registrations = new JoinedCalls(async (seen: SeenGroup[]) => registerSeenGroups(o.store, seen, o.clock.now(), await registry(), followRename(o.store)), () => this.looksComing());
  }

  /** Start every enabled bot (or the `botIds` of the options); each fails alone. */
  async start(): Promise<FleetStartResult> {
    const bots = this.o.config.bots.filter((b) => b.enabled && (!this.o.botIds || this.o.botIds.includes(b.id)));
    const results = await Promise.allSettled(bots.map((bot) => this.startBot(bot.id)));
    const out: FleetStartResult = { online: [], failed: [] };
    results.forEach((r, i) => {
      const botId = bots[i]!.id;
      if (r.status === 'fulfilled') out.online.push(botId);
      else out.failed.push({ botId, error: r.reason instanceof Error ? r.reason : new Error(String(r.reason)) });
    });
    return out;
  }

  /** Start one bot: its puppet, login, manners in groups. Throws (after logging) when it cannot. */
  async startBot(botId: string): Promise<ChannelBot> {
    const bot = this.o.config.bots.find((b) => b.id === botId);
    if (!bot) throw new Error(`no bot ${botId} in the fleet config`);
    let runner: ChannelBot | undefined;
    try {
      await this.knowFleetAccounts();
      const pacing = this.o.pacing;
      runner = await this.o.channel(bot, {
        keyer: this.o.keyer, log: this.o.log, isFleetBot: (id) => this.isFleetBot(id),
        ...(pacing ? { pacing: () => pacing.pacingOf(bot.id), onReplyFailed: (failure: SendFailure) => pacing.backOffOn(bot.id, failure) } : {}),
      });
      this.starting.add(runner);
      this.refuseWhenClosed(bot.id);
      // a QR code to scan (first login, or after a logout): where it is shows in `fleet status`
      runner.on('scan', (e) => void recordLoginQr(this.o.store, e.botId, e.file, e.qrcode).catch((err: unknown) => this.log.warn({ botId: e.botId, err }, 'could not note where the QR code to scan is')));
      await runner.start();
      if (runner.contactId) this.fleetAccounts.add(runner.contactId);
      this.refuseWhenClosed(bot.id);
      await recordBotState(this.o.store, bot.id, { status: 'online', contactId: runner.contactId, at: this.o.clock.now() });
      this.refuseWhenClosed(bot.id);
      new GroupMembership({
        runner,
        store: this.o.store,
        officers: this.o.officers,
        audit: this.o.audit,
        content: this.o.content,
        clock: this.o.clock,
        log: this.o.log,
        workerId: this.workerId,
        inbound: this.o.inbound,
        onGroupPaused: (groupId, paused) => this.emit('group:paused', { botId: bot.id, groupId, paused }),
      });
      runner.on('logout', (e) => {
        // why, for `fleet status`: logged out (and how), or its puppet service gone (it reconnects on its own)
        void recordBotState(this.o.store, e.botId, { status: 'offline', error: e.reason, at: this.o.clock.now() }).catch((err: unknown) => this.log.warn({ botId: e.botId, err }, 'could not record that a bot went offline'));
        this.emit('bot:logout', e);
      });
      runner.on('relogin', (e) => {
        // its rooms may have changed while it was away (some puppets give rooms new ids when they reconnect)
        this.lookedAround.delete(e.botId);
        void recordBotState(this.o.store, e.botId, { status: 'online', contactId: runner!.contactId, at: this.o.clock.now() })
          .then(() => this.discoverBotGroups(e.botId))
          .catch((err: unknown) => this.log.warn({ botId: e.botId, err }, 'could not look at the rooms of a bot that logged in again'))
          .finally(() => this.emit('bot:relogin', e));
      });
      this.runners.set(bot.id, runner);
      this.emit('bot:login', { botId: bot.id });
      return runner;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.closed) {
        // shutdown, not a failure of the bot
        await runner?.stop();
        this.log.info({ botId }, 'bot stopped while it was starting: the fleet is stopping');
        await recordBotState(this.o.store, botId, { status: 'stopped', at: this.o.clock.now() }).catch((err: unknown) => this.log.warn({ botId, err }, 'could not record a bot as stopped'));
        throw error;
      }
      this.log.error({ botId, err: error }, 'bot could not start; the other bots keep running');
      await recordBotState(this.o.store, botId, { status: 'failed', error: scrubSecrets(error.message), at: this.o.clock.now() }).catch((err: unknown) => this.log.warn({ botId, err }, 'could not record a bot as failed'));
      this.emit('bot:failed', { botId, error });
      throw error;
    } finally {
      if (runner) this.starting.delete(runner);
    }
  }

  private refuseWhenClosed(botId: string): void {
    if (this.closed) throw new Error(`bot ${botId} not started: the fleet is stopping`);
  }

  /**
   * Stop one bot on purpose (handed to another worker, lease lost): `stopped`,
   * not logged out, so its planned posts wait for the worker that takes it.
   */
  async stopBot(botId: string): Promise<void> {
    const r = this.runners.get(botId);
    if (!r) return;
    this.runners.delete(botId);
    await r.stop();
    await recordBotState(this.o.store, botId, { status: 'stopped', at: this.o.clock.now() }).catch((err: unknown) => this.log.warn({ botId, err }, 'could not record a bot as stopped'));
  }

  /**
   * Register the rooms of one bot (see discoverGroups); returns their room ids.
   * Each room is kept as the registry keeps it (a count and a sample) as soon
   * as it is read: 200 bots' looks at 69,000 groups are registered together,
   * and their rooms' member keys, kept whole until then, passed 1 GB.
   */
  async discoverBotGroups(botId: string): Promise<string[]> {
    const runner = this.runners.get(botId);
    if (!runner?.isOnline) return [];
    await this.knowFleetAccounts();
    const seen: SeenGroup[] = [];
    this.looking++;
    try {
      for (const roomId of await runner.roomIds()) {
        const view = await runner.room(roomId);
        this.lastRoomRead = performance.now();
        if (view) seen.push(toSeenGroup(view, botId));
      }
    } finally {
      this.looking--;
    }
    const created = await this.registrations.add(seen);
    for (const s of seen) this.emit('group:registered', { botId, roomId: s.roomId, topic: s.topic, created: created.get(s.roomId) ?? false });
    return seen.map((s) => s.roomId);
  }

  /**
   * A registration waits for the looks of bots still reading their rooms
   * while their reading goes on (a room read in the last LOOKS_STALL_MS, for
   * at most LOOKS_GATHER_MS), so that bots logging in together register as
   * one: a room two bots see is then one insert with both, not an insert and
   * then an update (every update on FerretDB reads the whole registry: at
   * 69,000 groups a first registration spent minutes on them).
   */
  private async looksComing(): Promise<void> {
    const until = performance.now() + LOOKS_GATHER_MS;
    const reading = (): boolean => this.looking > 0 && performance.now() - this.lastRoomRead < LOOKS_STALL_MS && performance.now() < until;
    while (reading()) await sleep(100);
  }

  /**
   * A send found the bot missing from a group it is registered in: it was
   * removed while no worker listened, or the room's id changed. Look at the
   * bot's rooms again (at most once a minute per bot: the look registers a
   * changed room id); a group still not among them loses the bot, as when it
   * leaves (see forgetBotInGroup). Returns the deliveries that changed there
   * (a changed room id moves the group's planned posts too, without listing them).
   */
  async botMissingFromGroup(botId: string, groupId: string): Promise<DeliveryState[]> {
    // an empty look from a bot that went offline meanwhile proves nothing: the post waits for it (or the sweep's move)
    if (!this.runners.get(botId)?.isOnline) return [];
    const now = this.o.clock.now();
    let last = this.lookedAround.get(botId);
    if (!last || now.getTime() - last.at >= LOOK_AGAIN_MS) {
      last = { at: now.getTime(), roomIds: new Set(await this.discoverBotGroups(botId)) };
      this.lookedAround.set(botId, last);
    }
    const roomIds = last.roomIds;
    const group = await findGroupById(this.o.store, groupId);
    if (!group || roomIds.has(group.roomId)) return [];
    return forgetBotInGroup(this.o.store, { groupId }, botId, now, this.log.child({ botId }), { reason: 'a send found the bot not in the group' });
  }

  runner(botId: string): ChannelBot | undefined {
    return this.runners.get(botId);
  }

  /**
   * Is an account one of the fleet's bots, in this worker or another (the
   * `bots` collection, read at each bot's start and look around)? Fleet bots
   * are never counted as members, nor answered.
   */
  isFleetBot(contactId: string): boolean {
    return this.fleetAccounts.has(contactId);
  }

  /** Read the accounts of the fleet's bots in every worker (see isFleetBot). */
  async knowFleetAccounts(): Promise<void> {
    this.fleetAccounts = new Set([...(await knownBotContactIds(this.o.store)), ...this.botContactIds()]);
  }

  onlineBots(): ChannelBot[] {
    return [...this.runners.values()].filter((r) => r.isOnline);
  }

  /** WeChat ids of this fleet's bots (excluded from member counts). */
  botContactIds(): Set<string> {
    return new Set([...this.runners.values()].map((r) => r.contactId).filter((x): x is string => !!x));
  }

  /** Look at every room of every online bot and upsert it into the registry. Returns rooms seen. */
  async discoverGroups(): Promise<number> {
    let seen = 0;
    for (const runner of this.onlineBots()) seen += (await this.discoverBotGroups(runner.bot.id)).length;
    this.log.info({ rooms: seen }, 'groups discovered');
    return seen;
  }

  /** Stop every bot, those still logging in too; no bot starts afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.runners.keys()];
    await Promise.allSettled([...this.runners.values(), ...this.starting].map((r) => r.stop()));
    this.runners.clear();
    await Promise.allSettled(running.map((botId) => recordBotState(this.o.store, botId, { status: 'stopped', at: this.o.clock.now() })));
  }
}
