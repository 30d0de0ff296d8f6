import type { BotLimits } from '../config/bots.js';
import { addSendTime, windowWaitMs } from './send-window.js';

/**
 * How long posts take to reach their groups, worked out the way lanes send
 * them: each bot posts one at a time with its gap (minimum gap, half its
 * jitter on average, stretched while it backs off), never past its sliding
 * minute, hour and day limits, after the posts already ahead of them in its
 * queue, and the fleet never past its posts a minute. Pure: plain data and
 * times in, times out. Used for an urgent alert's "time to the last group".
 */

export interface EstimateBot {
  botId: string;
  limits: BotLimits;
  /** Its gap is multiplied by this while it backs off (1 normally). */
  backoffFactor: number;
  /** Paused until then (ms) after throttling. */
  cooldownUntil?: number | undefined;
  /** Its send times in the last day (ms, ascending): its windows are already partly used. */
  recentSends: readonly number[];
  /** Posts that go before the new ones (urgent posts already queued for it). */
  ahead: number;
  /** The new posts it sends. */
  posts: number;
}

export interface EstimateInput {
  /** When the posts become due (ms). */
  start: number;
  bots: readonly EstimateBot[];
  /** The fleet's posts a minute, and its send times in the last minute. */
  fleetPerMinute: number;
  fleetRecentSends?: readonly number[];
  /** Time from due to the first claim (the planner writing, a lane picking it up), ms. */
  startupMs: number;
  /** Time a post takes to go out (the puppet's answer), ms. */
  sendMs: number;
  /** Gaps divided by this (the demo's speed-up). @defaultValue 1 */
  gapScale?: number;
}

export interface Estimate {
  /** When the last new post goes out (ms); `start` when there is none. */
  lastAt: number;
  perBot: { botId: string; posts: number; firstAt?: number | undefined; lastAt?: number | undefined }[];
}

/** The mean gap after a post of a bot. */
const meanGap = (b: EstimateBot, gapScale: number): number => ((b.limits.minGapMs + b.limits.jitterMs / 2) * b.backoffFactor) / gapScale;

export function estimateDelivery(i: EstimateInput): Estimate {
  const gapScale = i.gapScale ?? 1;
  const lanes = i.bots.map((b) => ({
    b,
    left: b.ahead + b.posts,
    sent: 0,
    next: Math.max(i.start + i.startupMs, b.cooldownUntil ?? 0),
    sends: [...b.recentSends],
    firstAt: undefined as number | undefined,
    lastAt: undefined as number | undefined,
  }));
  const fleetSends = [...(i.fleetRecentSends ?? [])];
  const fleetLimits = { perMinute: i.fleetPerMinute, perHour: Number.POSITIVE_INFINITY, perDay: Number.POSITIVE_INFINITY };
  for (;;) {
    // the lane whose next send comes first (ties: the bot listed first)
    let lane: (typeof lanes)[number] | undefined;
    for (const l of lanes) if (l.left > 0 && (!lane || l.next < lane.next)) lane = l;
    if (!lane) break;
    const wait = Math.max(windowWaitMs(lane.sends, lane.b.limits, lane.next), windowWaitMs(fleetSends, fleetLimits, lane.next));
    if (wait > 0) {
      lane.next += wait;
      continue;
    }
    const at = lane.next + i.sendMs;
    addSendTime(lane.sends, lane.next);
    addSendTime(fleetSends, lane.next);
    lane.left--;
    lane.sent++;
    // the posts ahead go first; the new ones are the rest
    if (lane.sent > lane.b.ahead) {
      lane.firstAt ??= at;
      lane.lastAt = at;
    }
    lane.next = at + meanGap(lane.b, gapScale);
  }
  const lastAt = Math.max(i.start, ...lanes.flatMap((l) => (l.lastAt !== undefined ? [l.lastAt] : [])));
  return { lastAt, perBot: lanes.map((l) => ({ botId: l.b.botId, posts: l.b.posts, firstAt: l.firstAt, lastAt: l.lastAt })) };
}
