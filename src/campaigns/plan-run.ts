import type { FleetConfig } from '../config/bots.js';
import type { ReferenceData } from '../config/reference.js';
import type { Post } from '../content/post-schema.js';
import { renderPost } from '../content/render.js';
import type { Store } from '../store/connection.js';
import { listGroups } from '../store/groups-repo.js';
import { type GroupRecord } from '../shared/groups.js';
import { deliveryIdFor, insertPlanned, recentDeliveries, type ClaimAhead, type LocalSender, type PlannedDelivery } from '../store/deliveries-repo.js';
import { inChunks } from '../store/bulk.js';
import { shortLink } from '../shared/link-code.js';
import { recordPlan } from '../store/runs-repo.js';
import { assignBots } from './assign-bots.js';
import type { CampaignDefinition } from './campaign-schema.js';
import { planTargets } from './plan-targets.js';
import { resolveCampaignPosts } from './resolve-posts.js';

export interface PlanRunOptions {
  store: Store;
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
  /** Base address of tracked links: a post with a link gets `<base>/r/<code>` per delivery. */
  linkBase?: string | undefined;
  /** The group registry, read shortly before the due time (RegistryPrefetch); else the planner reads it. */
  groups?: readonly GroupRecord[] | undefined;
  /** This worker's dispatcher: takes each chunk once it is in the outbox (it starts sending while the rest is written), and what it has room for is claimed as it is written. */
  local?: LocalSender | undefined;
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
    out.claimed.set(r.botId, (out.claimed.get(r.botId) ?? 0) + 1);
  }
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
 * repeat window rule out are recorded as skipped, groups without an online
 * member bot as failed ("no bot online in group"), so counts add up.
 * Planning a run again writes only what is missing (a delivery's id comes
 * from run and group, and the run's own deliveries do not count against its
 * caps): that is how a run whose planner died part-way is finished.
 */
export async function planRun(o: PlanRunOptions): Promise<PlanRunResult> {
  const { posts } = resolveCampaignPosts(o.campaign, o.library);
  const since = new Date(o.scheduledAt.getTime() - Math.max(o.campaign.caps.repeatPostAfterDays, 1) * 86_400_000);
  const groups = o.groups ?? (await listGroups(o.store));
  const quiet = {
    elderly: o.campaign.quietHours?.elderly ?? o.fleet.quietHours.elderly,
    default: o.campaign.quietHours?.default ?? o.fleet.quietHours.default,
  };
  const now = o.now > o.scheduledAt ? o.now : o.scheduledAt;
  const { targets, skipped } = planTargets({ groups, campaign: o.campaign, posts, history: await recentDeliveries(o.store, since, now, o.runId), now, quietHours: quiet });
  // (each target wrapped, not copied: a spread of 20,000 group records is measurable)
  const { assigned, unserved } = assignBots(targets.map((t) => ({ id: t.group.id, botIds: t.group.botIds, target: t })), o.onlineBotIds);
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
    ...unserved.map(({ target: g }) => ({ ...base(g.group.id, g.group.roomId), botId: '-', postId: g.post.id, text: '-', notBefore: g.notBefore, status: 'failed' as const, reason: 'no bot online in group' })),
    ...skipped.map((s) => ({ ...base(s.group.id, s.group.roomId), botId: '-', postId: '-', text: '-', notBefore: o.scheduledAt, status: 'skipped' as const, reason: s.reason })),
  ];
  // Written in chunks, each handed to the local dispatcher as soon as it is in the outbox: the first
  // chunks are small so posts start at once, and every chunk holds the next posts of every bot.
  const order = sendOrder(assigned, (a) => a.botId, (a) => a.group.target.notBefore.getTime());
  // Up to two chunks are written at once; each is handed over in order once it is in the outbox, and
  // claimed (what the local lanes have room for, less what the chunk still being written claimed) just
  // before its insert.
  const writes: { done: Promise<void>; claims: ChunkClaims }[] = [];
  const ahead = o.local?.claimAhead();
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
    const done = Promise.all([insertPlanned(o.store, rows), before]).then(([written]) => o.local?.enqueue(written));
    done.catch(() => undefined); // awaited below; a failure must not surface as unhandled meanwhile
    writes.push({ done, claims });
  }
  for (const w of writes) await w.done;
  for (const chunk of inChunks(unsent, PLAN_CHUNK)) await insertPlanned(o.store, chunk);
  await recordPlan(o.store, o.runId, assigned.length, skipped.length, o.now);
  return { planned: assigned.length, skipped: skipped.length, failed: unserved.length };
}
