import type { FleetConfig } from '../config/bots.js';
import type { ReferenceData } from '../config/reference.js';
import type { Post } from '../content/post-schema.js';
import { renderPost } from '../content/render.js';
import type { Store } from '../store/connection.js';
import { listGroups } from '../store/groups-repo.js';
import { type GroupRecord } from '../shared/groups.js';
import { deliveryIdFor } from '../shared/delivery-id.js';
import type { PlannedDelivery, PlannedRecord } from '../shared/outbox-records.js';
import { inChunks } from '../store/bulk.js';
import { shortLink, type TrackedLinks } from '../shared/link-code.js';
import { recordPlan } from '../store/runs-repo.js';
import { assignBots } from './assign-bots.js';
import type { CampaignDefinition } from './campaign-schema.js';
import { planTargets, type HistoryEntry } from './plan-targets.js';
import { resolveCampaignPosts } from './resolve-posts.js';

/**
 * A worker that sends what it plans: the planner writes up to `room(botId)`
 * of a bot's next due deliveries already claimed by `claim()` (the claim is
 * event 1, kept in the delivery document), so they cost no claim event and
 * go straight to the bot's lane.
 */
export interface ClaimAhead {
  /** How many more deliveries of this bot the worker would claim right now (0: queue them as planned). */
  room(botId: string): number;
  claim(): NonNullable<PlannedRecord['claim']>;
  /**
   * The ids of the rows claimed, told before they are written: should the insert's answer be lost, the worker
   * still knows it claimed them (and never sent them).
   */
  claimed?(ids: readonly string[]): void;
}

/**
 * Where the planner writes a run's deliveries and reads the history its caps
 * count: the outbox, wired by the worker (src/outbox/plan-outbox.ts), so the
 * planner knows nothing of the outbox's storage or of the dispatcher.
 */
export interface PlanOutbox {
  /**
   * Write planned deliveries; resolves once they are in the outbox, with the hand-over of what was written to this
   * worker's dispatcher (a no-op without one), which the planner calls chunk by chunk in order.
   */
  write(rows: PlannedDelivery[]): Promise<() => void>;
  /** Read what caps and the repeat window count of the deliveries planned since a time (judged when a run is planned). */
  readHistory(since: Date): Promise<HistoryReading>;
  /** Changes whenever deliveries are planned, fail or are skipped, in any process: a reading made before is current while it holds. */
  historyVersion(): Promise<string>;
  /** A run's deliveries that are not skipped, and those skipped (a run whose planning stopped part-way is closed with them). */
  counts(runId: string): Promise<{ held: number; skipped: number }>;
  /** This worker's dispatcher: what it has room for is claimed as it is written. */
  claimAhead?(): ClaimAhead;
}

/** What caps and the repeat window count, read at one time and judged at another (read ahead of a due time, judged at it). */
export interface HistoryReading {
  /** Deliveries planned at or after `since` that count at `now` (other than `exceptRunId`'s), each at when it went out or will. */
  entries(since: Date, now: Date, exceptRunId?: string): HistoryEntry[];
}

export interface PlanRunOptions {
  store: Store;
  outbox: PlanOutbox;
  runId: string;
  campaign: CampaignDefinition;
  contentHash: string;
  scheduledAt: Date;
  library: readonly Post[];
  ref: ReferenceData;
  fleet: Pick<FleetConfig, 'quietHours'>;
  /** Bots online now, in any worker. */
  onlineBotIds: ReadonlySet<string>;
  /** When it is planned: targeting (quiet hours, caps) goes by the later of this and the due time, so a run planned late never posts in quiet hours that began meanwhile. */
  now: Date;
  /** Base address of tracked links: a post with a link gets `<base>/r/<code>` per delivery, signed with the key given (or registered for the base, see useLinkKey). */
  linkBase?: string | TrackedLinks | undefined;
  /** The group registry, read shortly before the due time (PlanningPrefetch); else the planner reads it. */
  groups?: readonly GroupRecord[] | undefined;
  /** What caps count, read shortly before the due time (PlanningPrefetch) from `historySince` or earlier; else the planner reads it. */
  history?: HistoryReading | undefined;
}

/** How far back the deliveries that count for a run's caps and repeat window go. */
export function historySince(campaign: CampaignDefinition, scheduledAt: Date): Date {
  return new Date(scheduledAt.getTime() - Math.max(campaign.caps.repeatPostAfterDays, 1) * 86_400_000);
}

/**
 * The groups a run targets and the post each gets, and those it skips (caps,
 * quiet hours, the repeat window), planned at `now`: what the planner writes
 * and what `campaign preview` shows. Pure.
 */
export function runTargets(o: {
  campaign: CampaignDefinition;
  library: readonly Post[];
  groups: readonly GroupRecord[];
  history: readonly HistoryEntry[];
  now: Date;
  fleet: Pick<FleetConfig, 'quietHours'>;
}): ReturnType<typeof planTargets> {
  const { posts } = resolveCampaignPosts(o.campaign, o.library);
  const quietHours = {
    elderly: o.campaign.quietHours?.elderly ?? o.fleet.quietHours.elderly,
    default: o.campaign.quietHours?.default ?? o.fleet.quietHours.default,
  };
  return planTargets({ groups: o.groups, campaign: o.campaign, posts, history: o.history, now: o.now, quietHours });
}

/**
 * How long a run's posts wait for a bot of their group when none is online
 * (a bot's puppet service restarting, a logout being fixed): the campaign's
 * `waitForBotMinutes`, else the worker's default (10 minutes). Never past a
 * post's validity: the lane skips a post whose validity ended.
 */
export function waitForBotMs(campaign: CampaignDefinition): number | undefined {
  const minutes = (campaign as CampaignDefinition & { waitForBotMinutes?: unknown }).waitForBotMinutes;
  return typeof minutes === 'number' && Number.isFinite(minutes) && minutes >= 0 ? minutes * 60_000 : undefined;
}

/** Deliveries written per insert: the first chunk is on its way while the planner writes the next. */
export const PLAN_CHUNK = 500;
/** The first insert is small, so the first posts go out sooner; each next one is twice as big, up to PLAN_CHUNK. */
export const PLAN_FIRST_CHUNK = 100;

/**
 * The order to write (and send) a run's deliveries: round by round, each
 * bot's next one (earliest first), so every chunk gives every bot work and
 * no bot waits for others' chunks. Pure.
 */
export function sendOrder<T>(items: readonly T[], botOf: (t: T) => string, dueOf: (t: T) => number): T[] {
  const byBot = new Map<string, { t: T; due: number }[]>();
  for (const t of items) {
    const bot = botOf(t);
    (byBot.get(bot) ?? byBot.set(bot, []).get(bot)!).push({ t, due: dueOf(t) });
  }
  const queues = [...byBot.values()].map((q) => q.sort((a, b) => a.due - b.due));
  const out: T[] = [];
  for (let round = 0; out.length < items.length; round++) {
    const inRound = queues.filter((q) => q.length > round).map((q) => q[round]!);
    for (const x of inRound.sort((a, b) => a.due - b.due)) out.push(x.t);
  }
  return out;
}

/** What a chunk claimed at planning, per bot, and which bots it left rows unclaimed (queued) for. */
export interface ChunkClaims {
  claimed: Map<string, number>;
  queued: Set<string>;
}

/**
 * Claim, in place, the rows the local dispatcher has room for: per bot, its
 * first rows (in send order) that are due now, up to `room(botId)` less what
 * chunks not yet handed over (`unhanded`) claimed. A bot with rows left
 * queued in such a chunk gets no claims (its queue goes first).
 */
export function claimRows(rows: PlannedDelivery[], ahead: ClaimAhead, unhanded: readonly ChunkClaims[] = []): ChunkClaims {
  const out: ChunkClaims = { claimed: new Map(), queued: new Set() };
  const room = new Map<string, number>();
  const ids: string[] = [];
  const claim = ahead.claim();
  for (const r of rows) {
    let left = room.get(r.botId);
    if (left === undefined) {
      left = unhanded.some((c) => c.queued.has(r.botId)) ? 0 : unhanded.reduce((n, c) => n - (c.claimed.get(r.botId) ?? 0), ahead.room(r.botId));
      room.set(r.botId, left);
    }
    if (left <= 0 || r.notBefore > claim.at) {
      out.queued.add(r.botId);
      continue;
    }
    room.set(r.botId, left - 1);
    r.claim = claim;
    r.id ??= deliveryIdFor(r.runId, r.groupId);
    ids.push(r.id);
    out.claimed.set(r.botId, (out.claimed.get(r.botId) ?? 0) + 1);
  }
  if (ids.length) ahead.claimed?.(ids);
  return out;
}

/** Rows rendered between two turns of the event loop. */
const RENDER_SLICE = 100;

/** Chunk inserts under way at once: the next is queued while the last is written, so the connection never idles between chunks. */
const WRITES_IN_FLIGHT = 2;

export interface PlanRunResult {
  planned: number;
  skipped: number;
  failed: number;
}

/**
 * Write a run's outbox: one delivery per targeted group with the chosen post,
 * its rendered text, the bot and the not-before time. Groups the caps or
 * repeat window rule out are recorded as skipped, groups without a member bot
 * as failed ("no bot in group"), so counts add up; a group whose member bots
 * are all offline gets its post planned for one of them (it waits, see
 * waitForBotMs).
 * Planning a run again writes only what is missing (a delivery's id comes
 * from run and group, and the run's own deliveries do not count against its
 * caps): that is how a run whose planner died part-way is finished.
 */
export async function planRun(o: PlanRunOptions): Promise<PlanRunResult> {
  const groups = o.groups ?? (await listGroups(o.store));
  const now = o.now > o.scheduledAt ? o.now : o.scheduledAt;
  const since = historySince(o.campaign, o.scheduledAt);
  const history = (o.history ?? (await o.outbox.readHistory(since))).entries(since, now, o.runId);
  const { targets, skipped } = runTargets({ campaign: o.campaign, library: o.library, groups, history, now, fleet: o.fleet });
  // (each target wrapped, not copied: a spread of 20,000 group records is measurable)
  const { assigned: online, unserved: offline } = assignBots(targets.map((t) => ({ id: t.group.id, botIds: t.group.botIds, target: t })), o.onlineBotIds);
  // a group whose member bots are all offline now is planned for one of them: its post waits for a bot of the
  // group to come back (the worker's sweep moves it to whichever member bot is online first, or fails it once
  // the run's wait is over); only a group with no member bot at all fails at once
  const assigned = [...online, ...offline.filter((g) => g.botIds.length > 0).map((group) => ({ group, botId: [...group.botIds].sort()[0]! }))];
  const unserved = offline.filter((g) => g.botIds.length === 0);
  const priority = o.campaign.priority === 'urgent' ? 1 : 0;
  const base = (groupId: string, roomId: string): Pick<PlannedDelivery, 'runId' | 'campaignId' | 'groupId' | 'roomId' | 'contentHash' | 'priority'> => ({
    runId: o.runId, campaignId: o.campaign.id, groupId, roomId, contentHash: o.contentHash, priority,
  });
  const toRow = ({ group: { target }, botId }: (typeof assigned)[number]): PlannedDelivery => {
    const group = target.group;
    // a tracked link names the delivery
    const id = deliveryIdFor(o.runId, group.id);
    return {
      ...base(group.id, group.roomId),
      id,
      botId,
      postId: target.post.id,
      text: renderPost(target.post, target.variant, group, o.ref, o.linkBase && target.post.link ? shortLink(o.linkBase, id) : undefined),
      notBefore: target.notBefore,
      quiet: target.quiet,
      validUntil: target.post.validUntil,
    };
  };
  const unsent: PlannedDelivery[] = [
    ...unserved.map(({ target: g }) => ({ ...base(g.group.id, g.group.roomId), botId: '-', postId: g.post.id, text: '-', notBefore: g.notBefore, status: 'failed' as const, reason: 'no bot in group' })),
    ...skipped.map((s) => ({ ...base(s.group.id, s.group.roomId), botId: '-', postId: '-', text: '-', notBefore: o.scheduledAt, status: 'skipped' as const, reason: s.reason })),
  ];
  // Written in chunks, each handed to the local dispatcher as soon as it is in the outbox: the first
  // chunks are small so posts start at once, and every chunk holds the next posts of every bot.
  const order = sendOrder(assigned, (a) => a.botId, (a) => a.group.target.notBefore.getTime());
  // Up to two chunks are written at once; each is handed over in order once it is in the outbox, and
  // claimed (what the local lanes have room for, less what the chunk still being written claimed) just
  // before its insert.
  const writes: { done: Promise<void>; claims: ChunkClaims }[] = [];
  const ahead = o.outbox.claimAhead?.();
  for (let i = 0, size = PLAN_FIRST_CHUNK; i < order.length; i += size, size = Math.min(PLAN_CHUNK, 2 * size)) {
    // rendered in slices, so lanes sending meanwhile are never held up for long (their gaps stay exact)
    const rows: PlannedDelivery[] = [];
    for (let j = i; j < Math.min(i + size, order.length); j += RENDER_SLICE) {
      if (j > i) await new Promise((resolve) => setImmediate(resolve));
      for (const a of order.slice(j, Math.min(j + RENDER_SLICE, i + size))) rows.push(toRow(a));
    }
    while (writes.length >= WRITES_IN_FLIGHT) await writes.shift()!.done;
    const claims = ahead ? claimRows(rows, ahead, writes.map((w) => w.claims)) : { claimed: new Map(), queued: new Set<string>() };
    const before = writes.at(-1)?.done;
    const done = Promise.all([o.outbox.write(rows), before]).then(([handOver]) => handOver());
    done.catch(() => undefined); // awaited below; a failure must not surface as unhandled meanwhile
    writes.push({ done, claims });
  }
  for (const w of writes) await w.done;
  for (const chunk of inChunks(unsent, PLAN_CHUNK)) await o.outbox.write(chunk);
  await recordPlan(o.store, o.runId, assigned.length, skipped.length, o.now, waitForBotMs(o.campaign));
  return { planned: assigned.length, skipped: skipped.length, failed: unserved.length };
}
