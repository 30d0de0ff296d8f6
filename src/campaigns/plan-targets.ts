import { shanghaiDay } from '../config/clock.js';
import type { Post } from '../content/post-schema.js';
import type { GroupRecord } from '../shared/groups.js';
import { selectGroups } from '../audience/select-groups.js';
import type { CampaignDefinition } from './campaign-schema.js';
import { outsideQuietHours, type QuietWindow } from '../audience/quiet-hours.js';

/** A past (or already planned) post to a group, as the planner needs it. */
export interface HistoryEntry {
  groupId: string;
  postId: string;
  at: Date;
  priority: 0 | 1;
}

export interface PlanInput<G extends GroupRecord> {
  groups: readonly G[];
  campaign: Pick<CampaignDefinition, 'audience' | 'caps' | 'priority'>;
  /** The campaign's posts, resolved from the library. */
  posts: readonly Post[];
  /** Deliveries to these groups over the last repeat window (any campaign). */
  history: readonly HistoryEntry[];
  /** The run's scheduled time. */
  now: Date;
  quietHours: { elderly: QuietWindow; default: QuietWindow };
}

export interface PlannedTarget<G> {
  group: G;
  post: Post;
  variant: number;
  notBefore: Date;
  /** The group's quiet hours, kept at send time too (a normal post; none when the window is empty). */
  quiet?: QuietWindow | undefined;
}

export interface SkippedTarget<G> {
  group: G;
  reason: string;
}

/**
 * Targeting, a pure function: (groups, campaign, history, now) → which group
 * gets which post and variant, not before when. Keeps quiet hours (urgent
 * posts ignore them), the per-group daily cap (urgent posts neither count nor
 * are capped), the repeat window, and rotates posts and wordings so
 * neighbouring groups do not all see the same text.
 */
export function planTargets<G extends GroupRecord>(input: PlanInput<G>): { targets: PlannedTarget<G>[]; skipped: SkippedTarget<G>[] } {
  const urgent = input.campaign.priority === 'urgent';
  const targets: PlannedTarget<G>[] = [];
  const skipped: SkippedTarget<G>[] = [];
  const byGroup = new Map<string, HistoryEntry[]>();
  for (const h of input.history) {
    const list = byGroup.get(h.groupId) ?? [];
    list.push(h);
    byGroup.set(h.groupId, list);
  }
  const repeatMs = input.campaign.caps.repeatPostAfterDays * 86_400_000;
  // the same for every group of a quiet-hours profile, or of a set of segments: worked out once
  const whenFor = new Map<QuietWindow, { notBefore: Date; day: string; quiet: QuietWindow | undefined }>();
  const when = (quiet: QuietWindow): { notBefore: Date; day: string; quiet: QuietWindow | undefined } => {
    let w = whenFor.get(quiet);
    if (!w) {
      const notBefore = urgent ? input.now : outsideQuietHours(input.now, quiet);
      whenFor.set(quiet, (w = { notBefore, day: shanghaiDay(notBefore), quiet: urgent || quiet.from === quiet.to ? undefined : quiet }));
    }
    return w;
  };
  const fittingFor = new Map<string, Post[]>();
  for (const group of selectGroups(input.groups, input.campaign.audience)) {
    const history = byGroup.get(group.id) ?? [];
    const { notBefore, day, quiet } = when(group.segments.includes('elderly') ? input.quietHours.elderly : input.quietHours.default);
    if (!urgent) {
      const sameDay = history.length === 0 ? 0 : history.filter((h) => h.priority === 0 && shanghaiDay(h.at) === day).length;
      if (sameDay >= input.campaign.caps.perGroupPerDay) {
        skipped.push({ group, reason: `daily cap reached: ${input.campaign.caps.perGroupPerDay} post(s) per group per day` });
        continue;
      }
    }
    const fitKey = `${notBefore.getTime()}|${group.segments.join(',')}`;
    let fitting = fittingFor.get(fitKey);
    if (!fitting) fittingFor.set(fitKey, (fitting = input.posts.filter((p) => fits(p, group, notBefore))));
    if (fitting.length === 0) {
      skipped.push({ group, reason: 'no post of the campaign fits this group (audience or validity)' });
      continue;
    }
    const h = stableHash(group.id);
    if (history.length === 0) {
      // nothing sent here yet (most groups): every fitting post is fresh; the group's rotation picks one
      const post = fitting[h % fitting.length]!;
      targets.push({ group, post, variant: h % post.variants.length, notBefore, quiet });
      continue;
    }
    const lastSent = (postId: string): number => Math.max(-Infinity, ...history.filter((h) => h.postId === postId).map((h) => h.at.getTime()));
    const fresh = fitting.filter((p) => notBefore.getTime() - lastSent(p.id) >= repeatMs);
    if (fresh.length === 0) {
      skipped.push({ group, reason: `every fitting post reached this group within ${input.campaign.caps.repeatPostAfterDays} days` });
      continue;
    }
    const all = fitting;
    const order = (p: Post): number => all.indexOf(p);
    // least recently sent first, then rotated by the group
    const post = [...fresh].sort((a, b) => lastSent(a.id) - lastSent(b.id) || mod(order(a) - h, all.length) - mod(order(b) - h, all.length))[0]!;
    const timesSent = history.filter((x) => x.postId === post.id).length;
    targets.push({ group, post, variant: (h + timesSent) % post.variants.length, notBefore, quiet });
  }
  return { targets, skipped };
}

/** A post fits a group when it speaks to one of the group's segments (or to everyone) and is valid then. */
function fits(p: Post, g: GroupRecord, at: Date): boolean {
  if (p.validFrom && at < p.validFrom) return false;
  if (p.validUntil && at > p.validUntil) return false;
  return p.audiences.includes('general') || p.audiences.some((a) => g.segments.includes(a));
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** FNV-1a, for stable rotation offsets per group. */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
