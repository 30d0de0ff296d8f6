import type { FleetConfig } from '../config/bots.js';
import type { ReferenceData } from '../config/reference.js';
import type { Post } from '../content/post-schema.js';
import { renderPost } from '../content/render.js';
import type { Store } from '../store/connection.js';
import { listGroups } from '../store/groups-repo.js';
import { insertPlanned, newDeliveryId, recentDeliveries, type DeliveryState, type PlannedDelivery } from '../store/deliveries-repo.js';
import { inChunks } from '../store/bulk.js';
import { shortLink } from '../engagement/link-code.js';
import { recordPlan } from '../store/runs-repo.js';
import { assignBots } from '../delivery/assign-bots.js';
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
  now: Date;
  /** Base address of tracked links: a post with a link gets `<base>/r/<code>` per delivery. */
  linkBase?: string | undefined;
  /** Receives each chunk of deliveries once it is in the outbox (the local dispatcher starts sending while the rest is written). */
  onPlanned?: ((states: readonly DeliveryState[]) => void) | undefined;
}

/** Deliveries written per insert: the first chunk is on its way while the planner writes the next. */
export const PLAN_CHUNK = 1000;

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
 */
export async function planRun(o: PlanRunOptions): Promise<PlanRunResult> {
  const { posts } = resolveCampaignPosts(o.campaign, o.library);
  const since = new Date(o.scheduledAt.getTime() - Math.max(o.campaign.caps.repeatPostAfterDays, 1) * 86_400_000);
  const groups = await listGroups(o.store);
  const quiet = {
    elderly: o.campaign.quietHours?.elderly ?? o.fleet.quietHours.elderly,
    default: o.campaign.quietHours?.default ?? o.fleet.quietHours.default,
  };
  const { targets, skipped } = planTargets({ groups, campaign: o.campaign, posts, history: await recentDeliveries(o.store, since), now: o.scheduledAt, quietHours: quiet });
  const { assigned, unserved } = assignBots(targets.map((t) => ({ ...t.group, target: t })), o.onlineBotIds);
  const priority = o.campaign.priority === 'urgent' ? 1 : 0;
  const base = (groupId: string, roomId: string): Pick<PlannedDelivery, 'runId' | 'campaignId' | 'groupId' | 'roomId' | 'contentHash' | 'priority'> => ({
    runId: o.runId, campaignId: o.campaign.id, groupId, roomId, contentHash: o.contentHash, priority,
  });
  const rows: PlannedDelivery[] = [
    ...assigned.map(({ group, botId }) => {
      // the delivery's id is chosen here: a tracked link names it
      const id = newDeliveryId();
      return {
        ...base(group.id, group.roomId),
        id,
        botId,
        postId: group.target.post.id,
        text: renderPost(group.target.post, group.target.variant, group, o.ref, o.linkBase && group.target.post.link ? shortLink(o.linkBase, id) : undefined),
        notBefore: group.target.notBefore,
      };
    }),
    ...unserved.map((g) => ({ ...base(g.id, g.roomId), botId: '-', postId: g.target.post.id, text: '-', notBefore: g.target.notBefore, status: 'failed' as const, reason: 'no bot online in group' })),
    ...skipped.map((s) => ({ ...base(s.group.id, s.group.roomId), botId: '-', postId: '-', text: '-', notBefore: o.scheduledAt, status: 'skipped' as const, reason: s.reason })),
  ];
  // urgent and earliest first, so the first chunks handed over are the first to send
  rows.sort((a, b) => b.priority - a.priority || a.notBefore.getTime() - b.notBefore.getTime());
  for (const chunk of inChunks(rows, PLAN_CHUNK)) {
    const written = await insertPlanned(o.store, chunk);
    o.onPlanned?.(written);
  }
  await recordPlan(o.store, o.runId, assigned.length, skipped.length, o.now);
  return { planned: assigned.length, skipped: skipped.length, failed: unserved.length };
}
