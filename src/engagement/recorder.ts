import { randomUUID } from 'node:crypto';
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
import { writeTally } from '../store/engagement-repo.js';
import type { EngagementDoc, EngagementKind } from '../shared/counters.js';
import { attributeToPost, classifyEngagement, type EngagementWords } from './attribute.js';
import { Tally, type TallyTarget } from './tally.js';

export interface RecorderOptions {
  store: Store;
  keyer: MemberKeyer;
  clock: Clock;
  log: Logger;
  /** This process's name in counter documents (each writer owns its own). */
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

/** The segment a group counts under in reports: its first (groups are tagged most specific first). */
export function primarySegment(g: Pick<GroupRecord, 'segments'>): string {
  return g.segments[0] ?? 'general';
}

/** How long the database's answer on a group's recent posts is trusted. */
const POSTS_LOOKUP_TTL_MS = 60_000;

/**
 * Reach and engagement, recorded as they happen: every sent post adds to the
 * daily counters and to the sketches of distinct members and groups reached;
 * every member message in a group is classified (reply, mention, keyword,
 * question) and attributed to the most recent post in that group within the
 * window, counted once (by the bot that sent the post, even when several
 * fleet bots sit in the group); clicks come from the link server. Events and
 * counters are written in batches.
 */
export class EngagementRecorder implements InboundHandlers {
  private readonly tally: Tally;
  private events: EngagementDoc[] = [];
  /** Posts sent to each group, newest last (this process's own, plus what the database told it). */
  private readonly recent = new Map<string, SentDelivery[]>();
  private readonly looked = new Map<string, number>();
  private readonly groups: GroupCache;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly windowMs: number;
  private readonly log: Logger;
  /** Engagements recorded by this process so far, by kind. */
  readonly recorded: Record<EngagementKind, number> = { reply: 0, mention: 0, keyword: 0, question: 0, click: 0 };

  constructor(private readonly o: RecorderOptions) {
    this.tally = new Tally(o.writer);
    this.windowMs = o.windowMs ?? 2 * 3_600_000;
    this.log = o.log.child({ module: 'engagement' });
    this.groups = o.groups ?? new GroupCache(o.store, o.clock);
  }

  /** A post went out (the dispatcher's `delivery:sent`); never throws (a failure is logged: these counts are lost). */
  onSent(e: SentEvent): Promise<void> {
    return this.countSent(e).catch((err: unknown) => this.log.error({ err, deliveryId: e.deliveryId }, 'could not count a sent post'));
  }

  private async countSent(e: SentEvent): Promise<void> {
    const group = await this.groups.byId(e.groupId);
    const sent: SentDelivery = { deliveryId: e.deliveryId, groupId: e.groupId, botId: e.botId, campaignId: e.campaignId, postId: e.postId, sentAt: e.sentAt };
    const list = this.recent.get(e.groupId) ?? [];
    list.push(sent);
    this.recent.set(e.groupId, list.filter((p) => e.sentAt.getTime() - p.sentAt.getTime() <= this.windowMs));
    this.tally.sent(this.target(sent, group, e.sentAt), e.memberKeys());
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

  /** Write what was recorded so far. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.events;
    this.events = [];
    const counters = this.tally.takeCounters();
    const sketches = this.tally.takeSketches();
    if (!events.length && !counters.length && !sketches.length) return this.flushing;
    this.flushing = this.flushing
      .then(() => writeTally(this.o.store, { events, counters, sketches }))
      .then(() => this.tally.forgetBefore(shiftDay(shanghaiDay(this.o.clock.now()), -1)))
      .catch((err: unknown) => this.log.error({ err, events: events.length, counters: counters.length }, 'could not write engagement; these counts are lost'));
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
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
    this.events.push({ _id: randomUUID(), kind, at, day: t.day, deliveryId: post.deliveryId, campaignId: post.campaignId, postId: post.postId, groupId: post.groupId, segment: t.segment, district: t.district, ...who });
    this.tally.count(t, kind);
    this.recorded[kind]++;
    this.schedule();
  }

  private target(post: SentDelivery, group: GroupRecord | undefined, at: Date): TallyTarget {
    return {
      day: shanghaiDay(at),
      campaignId: post.campaignId,
      postId: post.postId,
      groupId: post.groupId,
      segment: group ? primarySegment(group) : 'general',
      district: group?.district ?? '(untagged)',
    };
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
    if (this.events.length + this.tally.pending >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.o.flushEveryMs ?? 1000);
  }
}
