import { outsideQuietHours, type QuietWindow } from '../campaigns/quiet-hours.js';

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

/**
 * May a claimed post still go out at `now`? Asked when a lane reaches it and
 * again in the bot's turn, just before the send (a reply ahead of it, or a
 * cool-down, can make it wait long enough for a campaign to be cancelled or
 * paused, for the post's validity to end, or for quiet hours to begin). Pure.
 */
export function postVerdict(d: { validUntil?: Date | undefined; quiet?: QuietWindow | undefined }, stop: CampaignStop | undefined, now: Date): PostVerdict {
  if (stop === 'cancelled') return { kind: 'skip', reason: 'campaign cancelled' };
  // a backlog (a bot offline, throttled, a long outage) must not send a warning past its post's validity
  if (d.validUntil && now.getTime() > d.validUntil.getTime()) return { kind: 'skip', reason: `post no longer valid (validUntil ${d.validUntil.toISOString()}) when its turn came` };
  if (stop === 'paused') return { kind: 'hold', until: now, reason: 'campaign paused' };
  // quiet hours that began after it was planned (a long run, a late one): back until they end
  const quietEnd = d.quiet ? outsideQuietHours(now, d.quiet) : undefined;
  if (quietEnd && quietEnd.getTime() > now.getTime()) return { kind: 'hold', until: quietEnd, reason: 'quiet hours began before it was sent; due again when they end' };
  return SEND;
}
