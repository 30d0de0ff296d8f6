import { outsideQuietHours, type QuietWindow } from '../audience/quiet-hours.js';
import { GROUP_PAUSED } from '../audience/officer-command.js';

/** Why a campaign's posts must not go out now. */
export type CampaignStop = 'paused' | 'cancelled';

/** What to do with a claimed post at a given moment. */
export type PostVerdict =
  | { kind: 'send' }
  /** Never send it: recorded as skipped with the reason. */
  | { kind: 'skip'; reason: string }
  /** Not now: back to the queue, due again at `until`. */
  | { kind: 'hold'; until: Date; reason: string };

const SEND: PostVerdict = { kind: 'send' };

/** What holds a campaign's or a group's posts now. */
export interface PostStops {
  campaign?: CampaignStop | undefined;
  /** When an officer paused the post's group (`暂停`), if lately. */
  groupPausedAt?: Date | undefined;
}

/**
 * May a claimed post still go out at `now`? Asked when a lane reaches it and
 * again in the bot's turn, just before the send (a reply ahead of it, or a
 * cool-down, can make it wait long enough for a campaign to be cancelled or
 * paused, a group paused, the post's validity to end, or quiet hours to
 * begin). A group's pause skips what was claimed before it: the planned rest
 * was skipped in the outbox, and what is claimed after it was planned after. Pure.
 */
export function postVerdict(
  d: { validUntil?: Date | undefined; quiet?: QuietWindow | undefined; claimedAt?: Date | undefined },
  stops: PostStops,
  now: Date,
): PostVerdict {
  if (stops.campaign === 'cancelled') return { kind: 'skip', reason: 'campaign cancelled' };
  // a backlog (a bot offline, throttled, a long outage) must not send a warning past its post's validity
  if (d.validUntil && now.getTime() > d.validUntil.getTime()) return { kind: 'skip', reason: `post no longer valid (validUntil ${d.validUntil.toISOString()}) when its turn came` };
  if (stops.groupPausedAt && d.claimedAt && d.claimedAt.getTime() <= stops.groupPausedAt.getTime()) return { kind: 'skip', reason: GROUP_PAUSED };
  if (stops.campaign === 'paused') return { kind: 'hold', until: now, reason: 'campaign paused' };
  // quiet hours that began after it was planned (a long run, a late one): back until they end
  const quietEnd = d.quiet ? outsideQuietHours(now, d.quiet) : undefined;
  if (quietEnd && quietEnd.getTime() > now.getTime()) return { kind: 'hold', until: quietEnd, reason: 'quiet hours began before it was sent; due again when they end' };
  return SEND;
}
