import { EventEmitter } from 'node:events';
import { officersOf, type FleetConfig } from '../config/bots.js';
import type { Clock } from '../config/clock.js';
import type { Logger } from '../log/logger.js';
import type { MemberKeyer } from '../audience/member-key.js';
import { toSeenGroup } from '../audience/group-sync.js';
import type { Store } from '../store/connection.js';
import { findGroupById, registerSeenGroups, seenEntriesReader } from '../store/groups-repo.js';
import { knownBotContactIds, recordBotState, recordLoginQr } from '../store/bots-repo.js';
import type { DeliveryState } from '../outbox/delivery-state.js';
import type { BotPacing } from './send-pacer.js';
import { BotRunner, type BotRunnerTuning } from '../channels/wechaty/bot-runner.js';
import type { PuppetFactory } from '../channels/wechaty/puppet-factory.js';
import { scrubSecrets } from '../log/secrets.js';
import { GroupMembership, forgetBotInGroup, type GroupContent, type InboundHandlers } from './group-membership.js';

/** A bot's rooms looked at less than this long ago are not asked for again when a send finds it missing from a group. */
const LOOK_AGAIN_MS = 60_000;

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
  puppetFactory: PuppetFactory;
  /** Reviewed texts, reference data and tagging rules for the bots' manners in groups. */
  content: GroupContent;
  /** This worker's id (claims, leases). @defaultValue `<hostname-less> pid` */
  workerId?: string;
  /** What to do with inbound messages (scam check, engagement). */
  inbound?: InboundHandlers | undefined;
  /** Only these bots. @defaultValue every enabled bot */
  botIds?: string[];
  /** How each bot logs in, reconnects and watches its puppet service (see BotRunnerOptions). @defaultValue production's */
  tuning?: BotRunnerTuning;
  /** How each bot's messages are spaced, and what a failed reply tells (a worker's dispatcher knows back-off). @defaultValue each bot's minimum gap */
  pacing?: BotPacing;
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
  private readonly runners = new Map<string, BotRunner>();
  /** Bots still logging in: `close()` stops them too, or their puppet connection would keep the process alive. */
  private readonly starting = new Set<BotRunner>();
  private closed = false;
  /** The registry as the bots' looks around compare it, one read while nothing changes it. */
  private readonly registry: ReturnType<typeof seenEntriesReader>;
  /** Per bot: when a send that found it missing from a group last made it look at its rooms, and which it saw. */
  private readonly lookedAround = new Map<string, { at: number; roomIds: Set<string> }>();
  private readonly log: Logger;
  readonly workerId: string;

  constructor(private readonly o: FleetOptions) {
    super();
    this.log = o.log.child({ module: 'fleet' });
    this.workerId = o.workerId ?? `worker-${process.pid}`;
    this.registry = seenEntriesReader(o.store);
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
  async startBot(botId: string): Promise<BotRunner> {
    const bot = this.o.config.bots.find((b) => b.id === botId);
    if (!bot) throw new Error(`no bot ${botId} in the fleet config`);
    let runner: BotRunner | undefined;
    try {
      const puppet = await this.o.puppetFactory(bot);
      this.refuseWhenClosed(bot.id);
      const pacing = this.o.pacing;
      runner = new BotRunner({
        bot, puppet, keyer: this.o.keyer, log: this.o.log, ...this.o.tuning,
        ...(pacing ? { pacing: () => pacing.pacingOf(bot.id), onReplyFailed: (err: unknown) => pacing.backOffOn(bot.id, err) } : {}),
      });
      this.starting.add(runner);
      // a QR code to scan (first login, or after a logout): where it is shows in `fleet status`
      runner.on('scan', (e) => void recordLoginQr(this.o.store, e.botId, e.file).catch(() => undefined));
      await runner.start();
      this.refuseWhenClosed(bot.id);
      await recordBotState(this.o.store, bot.id, { status: 'online', contactId: runner.contactId, at: this.o.clock.now() });
      this.refuseWhenClosed(bot.id);
      new GroupMembership({
        runner,
        store: this.o.store,
        keyer: this.o.keyer,
        officers: officersOf(this.o.config, bot),
        content: this.o.content,
        clock: this.o.clock,
        log: this.o.log,
        workerId: this.workerId,
        botContactIds: () => this.botContactIds(),
        inbound: this.o.inbound,
        onGroupPaused: (groupId, paused) => this.emit('group:paused', { botId: bot.id, groupId, paused }),
      });
      runner.on('logout', (e) => {
        // why, for `fleet status`: logged out (and how), or its puppet service gone (it reconnects on its own)
        void recordBotState(this.o.store, e.botId, { status: 'offline', error: e.reason, at: this.o.clock.now() }).catch(() => undefined);
        this.emit('bot:logout', e);
      });
      runner.on('relogin', (e) => {
        // its rooms may have changed while it was away (some puppets give rooms new ids when they reconnect)
        this.lookedAround.delete(e.botId);
        void recordBotState(this.o.store, e.botId, { status: 'online', contactId: runner!.contactId, at: this.o.clock.now() })
          .then(() => this.discoverBotGroups(e.botId))
          .catch((err: unknown) => this.log.warn({ botId: e.botId, err: scrubSecrets(String(err)) }, 'could not look at the rooms of a bot that logged in again'))
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
        await recordBotState(this.o.store, botId, { status: 'stopped', at: this.o.clock.now() }).catch(() => undefined);
        throw error;
      }
      this.log.error({ botId, err: scrubSecrets(error.message) }, 'bot could not start; the other bots keep running');
      await recordBotState(this.o.store, botId, { status: 'failed', error: scrubSecrets(error.message), at: this.o.clock.now() }).catch(() => undefined);
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
    await recordBotState(this.o.store, botId, { status: 'stopped', at: this.o.clock.now() }).catch(() => undefined);
  }

  /** Register the rooms of one bot (see discoverGroups); returns their room ids. */
  async discoverBotGroups(botId: string): Promise<string[]> {
    const runner = this.runners.get(botId);
    if (!runner?.isOnline) return [];
    const botIds = new Set([...this.botContactIds(), ...(await knownBotContactIds(this.o.store))]);
    const seen = (await runner.rooms()).map((view) => toSeenGroup(view, botId, botIds, this.o.keyer));
    const created = await registerSeenGroups(this.o.store, seen, this.o.clock.now(), await this.registry());
    for (const s of seen) this.emit('group:registered', { botId, roomId: s.roomId, topic: s.topic, created: created.get(s.roomId) ?? false });
    return seen.map((s) => s.roomId);
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

  runner(botId: string): BotRunner | undefined {
    return this.runners.get(botId);
  }

  onlineBots(): BotRunner[] {
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
