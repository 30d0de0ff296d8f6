import { readCampaignText } from '../campaigns/campaign-files.js';
import { runTargets } from '../campaigns/plan-run.js';
import { assignBots } from '../campaigns/assign-bots.js';
import { estimateDelivery } from '../delivery/delivery-estimate.js';
import { openDeliveries, sendTimesOfBots } from '../outbox/outbox.js';
import { listBotStates, onlineBotIds } from '../store/bots-repo.js';
import { listGroups } from '../store/groups-repo.js';
import type { Segment } from '../shared/groups.js';
import { inScope, type Actor } from '../shared/permissions.js';
import { ConfigError } from '../config/errors.js';
import type { AppContext } from './context.js';
import { definitionYaml } from './campaign-editor.js';
import { requireGrant } from './errors.js';

/**
 * An urgent alert about a scam wave: a campaign of priority `urgent` with
 * one due time, reviewed by a second person like any other. Before it is
 * submitted, how long it will take to reach every targeted group with the
 * bots online now, their limits and what is queued ahead of it, and how
 * many normal posts wait behind it.
 */

export interface UrgentInput {
  districts: string[];
  segments: Segment[];
  /** A reviewed post of the library … */
  postId?: string | undefined;
  /** … or a text written for this alert. */
  text?: string | undefined;
  scamTypes?: string[] | undefined;
  name?: string | undefined;
}

export interface UrgentEstimate {
  /** The alert as a campaign definition, ready to submit (its one due time a few seconds ahead: it goes as soon as it is approved). */
  definition: Record<string, unknown>;
  groups: number;
  members: number;
  /** Targeted groups no bot online now can post to (they wait for one, up to the run's limit). */
  unserved: number;
  bots: { botId: string; posts: number; ahead: number; lastAt?: Date | undefined }[];
  /** From approval to the last group, ms. */
  estimatedMs: number;
  /** Normal posts already queued for these bots that will go after the alert instead of before. */
  delayedNormal: number;
}

/**
 * From an approval to the first post: the schedulers look for changed campaigns every second (0–1 s, half a
 * second on average), then the planner writes the run. Measured from the approval: 0.1–1.1 s in the integration
 * test (the watch's phase), 1.2 s in the console's journey (which also counts the browser's click and the API's
 * answer). The middle of that range: at 1 s, an alert whose first post came 0.1 s after its approval reached its
 * last group more than 10 % before its estimate (since its own worker no longer reads a new run back).
 */
export const URGENT_STARTUP_MS = 600;
/** A post's own time on the wire before the bot's gap starts (the puppet service's answer; the simulator's is ~30 ms). */
export const SEND_MS = 50;
/** How far ahead of submission the alert's time is set: an approval after it sends at once. */
const AT_AHEAD_MS = 10_000;

const pad = (n: number): string => String(n).padStart(2, '0');

export async function estimateUrgent(ctx: AppContext, actor: Actor, input: UrgentInput): Promise<UrgentEstimate> {
  const districts = input.districts.length ? input.districts : ['all'];
  requireGrant(actor, 'campaigns:draft', { districts });
  const now = ctx.clock.now();
  const local = new Date(now.getTime() + 8 * 3_600_000);
  const stamp = `${local.getUTCFullYear()}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}-${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}`;
  const definition: Record<string, unknown> = {
    id: `urgent-${stamp}`,
    name: input.name?.trim() || `紧急预警 ${stamp.slice(4, 6)}月${stamp.slice(6, 8)}日`,
    audience: { segments: input.segments, districts },
    posts: input.postId ? [input.postId] : { text: input.text ?? '', scamTypes: input.scamTypes ?? [] },
    schedule: { at: new Date(now.getTime() + AT_AHEAD_MS).toISOString() },
    caps: { perGroupPerDay: 1, repeatPostAfterDays: 0 },
    priority: 'urgent',
  };
  const read = readCampaignText(definitionYaml(definition), 'urgent alert');
  if (!read.ok) throw new ConfigError(read.problems);
  const def = read.value.def;
  const store = await ctx.store();
  const [groups, online, states, open, sends] = await Promise.all([
    listGroups(store), onlineBotIds(store, now), listBotStates(store), openDeliveries(store), sendTimesOfBots(store, new Date(now.getTime() - 86_400_000)),
  ]);
  const visible = groups.filter((g) => inScope(actor.scope, { district: g.district, station: g.station }));
  const targets = runTargets({ campaign: def, library: ctx.library(), groups: visible, history: [], now, fleet: ctx.fleet() }).targets;
  const { assigned, unserved } = assignBots(targets.map((t) => ({ id: t.group.id, botIds: t.group.botIds, members: t.group.memberCount })), online);
  const posts = new Map<string, number>();
  for (const a of assigned) posts.set(a.botId, (posts.get(a.botId) ?? 0) + 1);
  const planned = open.filter((s) => s.status === 'planned' && posts.has(s.botId));
  const limitsOf = new Map(ctx.fleet().bots.map((b) => [b.id, b.limits]));
  const bots = [...posts.entries()].map(([botId, n]) => {
    const st = states.find((s) => s.botId === botId);
    return {
      botId, posts: n, limits: limitsOf.get(botId) ?? ctx.fleet().limits, backoffFactor: st?.backoffFactor ?? 1, cooldownUntil: st?.cooldownUntil?.getTime(),
      recentSends: sends.get(botId) ?? [], ahead: planned.filter((s) => s.botId === botId && s.priority === 1 && s.notBefore <= now).length,
    };
  });
  const fleetSends = [...sends.values()].flat().sort((a, b) => a - b);
  const e = estimateDelivery({ start: now.getTime(), bots, fleetPerMinute: ctx.fleet().fleet.perMinute, fleetRecentSends: fleetSends, startupMs: URGENT_STARTUP_MS, sendMs: SEND_MS });
  return {
    definition,
    groups: targets.length,
    members: targets.reduce((a, t) => a + t.group.memberCount, 0),
    unserved: unserved.length,
    bots: e.perBot.map((b) => ({ botId: b.botId, posts: b.posts, ahead: bots.find((x) => x.botId === b.botId)!.ahead, ...(b.lastAt !== undefined ? { lastAt: new Date(b.lastAt) } : {}) })),
    estimatedMs: e.lastAt - now.getTime(),
    delayedNormal: planned.filter((s) => s.priority === 0 && s.notBefore.getTime() <= e.lastAt).length,
  };
}
