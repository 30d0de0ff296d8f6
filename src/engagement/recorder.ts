import { randomBytes } from 'node:crypto';
import type { Clock } from '../config/clock.js';
import { shanghaiDay, shiftDay } from '../config/clock.js';
import type { Logger } from '../log/logger.js';
import type { FleetConfig } from '../config/bots.js';
import { loadEngagementWords } from '../config/engagement-words.js';
import type { MemberKeyer } from '../audience/member-key.js';
import type { InboundHandlers, InboundMessage } from '../channels/channel.js';
import type { Store } from '../store/connection.js';
import type { GroupRecord } from '../shared/groups.js';
import { GroupCache } from '../audience/group-cache.js';
import { findSentDelivery, sentToGroupSince, type SentDelivery } from '../outbox/outbox.js';
import { closeTallySession, insertEngagements, openTallySession, touchTallySession, writeTallyFlush } from '../store/engagement-repo.js';
import { isDatabaseUnreachable } from '../store/db-ping.js';
import type { EngagementDoc, EngagementKind } from '../shared/counters.js';
import type { DatabaseHealth, SentUnit } from '../delivery/event-writer.js';
import type { Dispatcher } from '../delivery/dispatcher.js';
import { attributeToPost, classifyEngagement, type EngagementWords } from './attribute.js';
import { Tally, sessionKeepAliveMs, type TallyFlush, type TallyTarget } from './tally.js';
import { AreaIndex, areaOf } from './area-index.js';

export { primarySegment } from './area-index.js';

export interface RecorderOptions {
  store: Store;
  keyer: MemberKeyer;
  clock: Clock;
  log: Logger;
  /** This process's name in counter documents (each writer owns its own; a session of it counts). */
  writer: string;
  words: EngagementWords;
  /** Engagement counts for the most recent post in the group within this window. @defaultValue 2 h */
  windowMs?: number;
  /** Names the fleet's bots go by (a quote of one of them is a reply to a post). */
  botNames: readonly string[];
  /** @defaultValue 1000 */
  flushEveryMs?: number;
  /** Registry lookups, shared with the scam check. @defaultValue a cache of its own */
  groups?: GroupCache;
  /** Whether the database answers (the worker's watch): counts wait for it quietly and are written when it is back. */
  health?: DatabaseHealth;
  /**
   * How long this process keeps going without its database (the worker's exit time): a session silent for
   * longer is completed by another process. @defaultValue 300000
   */
  exitAfterMs?: number;
}

/** What the recorder needs of a sent post (`memberKeys`: the keyed hashes of the members it reached). */
export type SentEvent = { deliveryId: string; botId: string; groupId: string; campaignId: string; postId: string; sentAt: Date; memberKeys: () => readonly string[] };

/** A recorder for a worker, the link server or the demo, from the loaded configuration. */
export function recorderFor(o: Omit<RecorderOptions, 'words' | 'windowMs' | 'botNames'> & { contentDir: string; fleet: FleetConfig }): EngagementRecorder {
  return new EngagementRecorder({
    ...o,
    words: loadEngagementWords(o.contentDir),
    windowMs: o.fleet.engagement.windowMinutes * 60_000,
    botNames: [o.fleet.displayName, ...o.fleet.bots.map((b) => b.name)],
  });
}

/** How long the database's answer on a group's recent posts is trusted. */
const POSTS_LOOKUP_TTL_MS = 60_000;
/** Member keys of a post whose sent outcome was never written are forgotten after this. */
const UNRECORDED_KEEP_MS = 10 * 60_000;
/** Tries of a write that fails for another reason than the database being out of reach, before its counts are given up. */
const MAX_TRIES = 3;

/**
 * Reach and engagement, recorded as they happen and counted exactly once:
 * every sent post adds to the daily counters and to the sketches of distinct
 * members and groups reached; every member message in a group is classified
 * (reply, mention, keyword, question) and attributed to the most recent post
 * in that group within the window, counted once (by the bot that sent the
 * post, even when several fleet bots sit in the group); clicks come from the
 * link server.
 *
 * What is counted comes in units that are in the database first (see
 * engagement/tally.ts): a worker's sent posts are counted once the outbox
 * holds their sent outcome (`follow`: a post whose outcome never got written
 * ends `unknown` and is never counted as sent), engagement events once they
 * are inserted. Counters are written as guarded increments, each applied
 * once however often a write is retried; nothing is dropped while the
 * database is away. The session's state is kept in `tally_sessions`: if the
 * process dies, another completes its counters from its units.
 */
export class EngagementRecorder implements InboundHandlers {
  /** This recorder's tally session (its counter documents' writer; its units' prefix). */
  readonly session: string;
  private readonly tally: Tally;
  private readonly areas: AreaIndex;
  /** Posts sent to each group, newest last (this process's own, plus what the database told it). */
  private readonly recent = new Map<string, SentDelivery[]>();
  private readonly looked = new Map<string, number>();
  private readonly groups: GroupCache;
  private readonly windowMs: number;
  private readonly log: Logger;
  /** Engagements recorded by this process so far, by kind. */
  readonly recorded: Record<EngagementKind, number> = { reply: 0, mention: 0, keyword: 0, question: 0, click: 0 };

  /** Following a dispatcher: sent posts are counted when their outcome is in the outbox, not when sent. */
  private following = false;
  private readonly memberKeysOf = new Map<string, { keys: () => readonly string[]; at: number }>();
  private readonly sentUnits: SentUnit[] = [];
  /** Sent posts counted without an outbox unit (a recorder that follows no dispatcher: the demo, tools). */
  private loose: { e: SentEvent; target: Promise<TallyTarget> }[] = [];
  private events: { doc: Omit<EngagementDoc, '_id'>; target: TallyTarget }[] = [];
  private eventUnit: { seq: number; docs: EngagementDoc[]; targets: { target: TallyTarget; kind: EngagementKind }[]; tries: number } | undefined;
  private eSeq = 0;
  private inFlight: { flush: TallyFlush; tries: number } | undefined;
  /** Counter documents this session created (incremented without a first insert). */
  private readonly known = new Set<string>();
  private sessionOpen = false;
  private timer: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly o: RecorderOptions) {
    this.session = `${o.writer}~${randomBytes(4).toString('hex')}`;
    this.tally = new Tally(this.session);
    this.windowMs = o.windowMs ?? 2 * 3_600_000;
    this.log = o.log.child({ module: 'engagement' });
    this.groups = o.groups ?? new GroupCache(o.store, o.clock);
    this.areas = new AreaIndex(o.store, o.clock);
  }

  /**
   * Count a dispatcher's sent posts once their sent outcomes are in the outbox
   * (its `sent:recorded` units; the dispatcher must tag them with this
   * recorder's `session`), with the member keys its `delivery:sent` told.
   */
  follow(dispatcher: Pick<Dispatcher, 'on'>): void {
    this.following = true;
    dispatcher.on('delivery:sent', (e) => void this.onSent(e));
    dispatcher.on('sent:recorded', (u) => this.onSentRecorded(u));
  }

  /**
   * Open the session before anything counts in it: a worker whose dispatcher tags sent outcomes with this
   * session must have its session known first, or a kill right after its first posts would leave units that
   * no process knows to complete.
   */
  async start(): Promise<void> {
    await this.openSession();
  }

  /** Whether the database answers (a worker's watch, known after the recorder was made). */
  watchDatabase(health: DatabaseHealth): void {
    this.o.health = health;
  }

  /** A post went out (the dispatcher's `delivery:sent`); never throws. */
  onSent(e: SentEvent): Promise<void> {
    const sent: SentDelivery = { deliveryId: e.deliveryId, groupId: e.groupId, botId: e.botId, campaignId: e.campaignId, postId: e.postId, sentAt: e.sentAt };
    const list = this.recent.get(e.groupId) ?? [];
    list.push(sent);
    this.recent.set(e.groupId, list.filter((p) => e.sentAt.getTime() - p.sentAt.getTime() <= this.windowMs));
    if (this.following) {
      // counted when its sent outcome is written (onSentRecorded)
      this.memberKeysOf.set(e.deliveryId, { keys: e.memberKeys, at: this.o.clock.now().getTime() });
      return Promise.resolve();
    }
    const target = this.groups.byId(e.groupId).then((g) => this.target(sent, g, e.sentAt));
    target.catch(() => undefined);
    this.loose.push({ e, target });
    this.schedule();
    return Promise.resolve();
  }

  /** Sent outcomes are in the outbox (one unit, in order): they are counted now. */
  onSentRecorded(unit: SentUnit): void {
    this.sentUnits.push(unit);
    this.schedule();
  }

  async onGroupMessage(m: InboundMessage): Promise<void> {
    await this.onMessage(m);
  }

  async onMention(m: InboundMessage): Promise<void> {
    await this.onMessage(m);
  }

  /** A member opened a post's tracked link. Returns the delivery, or undefined if the code names none. */
  async onClick(deliveryId: string, client: string): Promise<SentDelivery | undefined> {
    const d = await findSentDelivery(this.o.store, deliveryId);
    if (!d) return undefined;
    const at = this.o.clock.now();
    this.record('click', d, await this.groups.byId(d.groupId), at, { client });
    return d;
  }

  /** Write everything recorded so far; resolves when it is in the database (it waits for the database). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    do {
      await this.pump();
    } while (!this.closed && this.hasWork());
  }

  /** Write what is left and end the session (another process need not complete it). */
  async close(): Promise<void> {
    if (this.keepAlive) clearInterval(this.keepAlive);
    if (this.o.health && !this.o.health.reachable) {
      // nothing can be written now: the session stays open, and another process completes its counters from the outbox
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      if (this.hasWork()) this.log.warn({ session: this.session }, 'stopping while the database does not answer: counts not yet written are completed from the outbox by another worker (engagement events not yet written are lost)');
      return;
    }
    await this.flush();
    this.closed = true;
    if (this.sessionOpen) {
      await closeTallySession(this.o.store, this.session, this.o.clock.now()).catch((err: unknown) => this.log.warn({ err }, 'could not mark the counting session closed; another process completes it, which changes nothing'));
    }
  }

  private hasWork(): boolean {
    return this.events.length > 0 || this.eventUnit !== undefined || this.sentUnits.length > 0 || this.loose.length > 0 || this.inFlight !== undefined || this.tally.pending > 0;
  }

  private async onMessage(m: InboundMessage): Promise<void> {
    // a reply to a post: a quote of what a bot of the fleet said (the bot's own message, or one under a fleet bot's name)
    const quotesBot = !!m.quoted && (m.quoted.fromBot || this.o.botNames.includes(m.quoted.name));
    const kind = classifyEngagement({ text: m.text, mentionsBot: m.mentionsBot, quotesBot }, this.o.words);
    if (!kind || !m.roomId) return;
    const at = this.o.clock.now();
    const group = await this.groups.byRoom(m.roomId);
    if (!group || group.status === 'left') return;
    const post = attributeToPost({ groupId: group.id, at }, await this.postsOf(group.id, at), this.windowMs);
    // several fleet bots may sit in the group: the one that sent the post counts
    if (!post || post.botId !== m.botId) return;
    this.record(kind, post, group, at, { memberKey: m.senderKey });
  }

  private record(kind: EngagementKind, post: SentDelivery, group: GroupRecord | undefined, at: Date, who: { memberKey?: string; client?: string }): void {
    const t = this.target(post, group, at);
    this.events.push({ doc: { kind, at, day: t.day, deliveryId: post.deliveryId, campaignId: post.campaignId, postId: post.postId, groupId: post.groupId, segment: t.segment, district: t.district, ...who }, target: t });
    this.recorded[kind]++;
    this.schedule();
  }

  private target(post: Pick<SentDelivery, 'campaignId' | 'postId' | 'groupId'>, group: Pick<GroupRecord, 'segments' | 'district'> | undefined, at: Date): TallyTarget {
    return { day: shanghaiDay(at), campaignId: post.campaignId, postId: post.postId, groupId: post.groupId, ...areaOf(group) };
  }

  /** Posts to a group in the window: this process's own, else the database (asked at most once a minute per group). */
  private async postsOf(groupId: string, at: Date): Promise<SentDelivery[]> {
    const mine = this.recent.get(groupId) ?? [];
    const last = this.looked.get(groupId) ?? 0;
    if (mine.some((p) => at.getTime() - p.sentAt.getTime() <= this.windowMs) || at.getTime() - last < POSTS_LOOKUP_TTL_MS) return mine;
    this.looked.set(groupId, at.getTime());
    const fromDb = await sentToGroupSince(this.o.store, groupId, new Date(at.getTime() - this.windowMs));
    const merged = [...mine, ...fromDb.filter((d) => !mine.some((m) => m.deliveryId === d.deliveryId))];
    this.recent.set(groupId, merged);
    return merged;
  }

  private schedule(): void {
    if (this.closed) return;
    const waiting = this.events.length + this.tally.pending + this.loose.length + this.sentUnits.reduce((n, u) => n + u.items.length, 0);
    if (waiting >= 500) void this.pump();
    else this.timer ??= setTimeout(() => ((this.timer = undefined), void this.pump()), this.o.flushEveryMs ?? 1000);
  }

  /** One pass at a time: write engagement events (a unit), count the units in order, write the counters. */
  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = this.pass()
      .catch((err: unknown) => this.failed(err))
      .finally(() => {
        this.pumping = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.schedule();
        }
      });
    return this.pumping;
  }

  private async pass(): Promise<void> {
    // 1. engagement events, as one unit: inserted first, then counted
    if (!this.eventUnit && this.events.length) {
      const seq = ++this.eSeq;
      const batch = this.events;
      this.events = [];
      this.eventUnit = {
        seq, tries: 0,
        docs: batch.map((e, i) => ({ _id: `${this.session}:e${seq}:${i}`, ...e.doc })),
        targets: batch.map((e) => ({ target: e.target, kind: e.doc.kind })),
      };
    }
    if (this.eventUnit) {
      const u = this.eventUnit;
      u.tries++;
      await this.openSession();
      await insertEngagements(this.o.store, u.docs);
      this.tally.foldEngagements({ kind: 'e', seq: u.seq }, u.targets);
      this.eventUnit = undefined;
    }
    // 2. the sent posts whose outcomes are in the outbox, unit by unit in order
    while (this.sentUnits.length) {
      const u = this.sentUnits[0]!;
      const areas = await this.areas.areasOf(u.items.map((i) => i.groupId));
      this.tally.foldSent({ kind: 's', seq: u.seq }, u.items.map((i) => {
        const keys = this.memberKeysOf.get(i.deliveryId);
        this.memberKeysOf.delete(i.deliveryId);
        return { target: { day: i.day, campaignId: i.campaignId, postId: i.postId, groupId: i.groupId, ...areas.get(i.groupId)! }, reach: i.reach, memberKeys: keys?.keys() ?? [] };
      }));
      this.sentUnits.shift();
    }
    // (a recorder that follows no dispatcher counts its posts as they are sent)
    while (this.loose.length) {
      const { e, target } = this.loose[0]!;
      this.tally.sent(await target, e.memberKeys());
      this.loose.shift();
    }
    const old = this.o.clock.now().getTime() - UNRECORDED_KEEP_MS;
    for (const [id, k] of this.memberKeysOf) if (k.at < old) this.memberKeysOf.delete(id);
    // 3. the counters: one flush at a time, retried as it was made until it is written
    if (!this.inFlight) {
      const flush = this.tally.takeFlush();
      if (flush) this.inFlight = { flush, tries: 0 };
    }
    if (this.inFlight) {
      const f = this.inFlight;
      f.tries++;
      await this.openSession();
      await writeTallyFlush(this.o.store, f.flush, this.known);
      await touchTallySession(this.o.store, this.session, this.o.clock.now(), { f: f.flush.flush, sUpTo: f.flush.sUpTo, eUpTo: f.flush.eUpTo });
      this.inFlight = undefined;
      this.tally.forgetBefore(shiftDay(shanghaiDay(this.o.clock.now()), -1));
    }
  }

  /** A pass failed: kept and tried again (when the database is back, for an outage), or given up after a few tries. */
  private async failed(err: unknown): Promise<void> {
    const unreachable = this.o.health ? this.o.health.noteFailure(err) : isDatabaseUnreachable(err);
    if (!unreachable) {
      const tries = Math.max(this.eventUnit?.tries ?? 0, this.inFlight?.tries ?? 0);
      if (tries >= MAX_TRIES) {
        this.log.error({ err, events: this.eventUnit?.docs.length ?? 0, counters: this.inFlight?.flush.counters.length ?? 0 }, 'could not write engagement after three tries; these counts are lost (zhimi report check shows where)');
        if ((this.eventUnit?.tries ?? 0) >= MAX_TRIES) this.eventUnit = undefined;
        if ((this.inFlight?.tries ?? 0) >= MAX_TRIES) this.inFlight = undefined;
      } else this.log.warn({ err }, 'could not write engagement; trying again');
    }
    if (this.closed) return;
    if (unreachable && this.o.health) await this.o.health.whenReachable();
    else await new Promise((resolve) => setTimeout(resolve, 1000).unref());
    this.again = true;
  }

  /** The session's document, written before its first counter (a process that dies after it is completed by another). */
  private async openSession(): Promise<void> {
    if (this.sessionOpen) return;
    await openTallySession(this.o.store, { _id: this.session, writer: this.o.writer, exitAfterMs: this.o.exitAfterMs ?? 300_000, at: this.o.clock.now() });
    this.sessionOpen = true;
    this.keepAlive = setInterval(() => {
      if (this.closed) return;
      void touchTallySession(this.o.store, this.session, this.o.clock.now()).catch((err: unknown) => {
        if (!(this.o.health?.noteFailure(err) ?? isDatabaseUnreachable(err))) this.log.warn({ err }, 'could not say the counting session lives');
      });
    }, sessionKeepAliveMs(this.o.exitAfterMs ?? 300_000));
    this.keepAlive.unref();
  }
}
