import { renderPost } from '../content/render.js';
import { shanghaiDay, shiftDay } from '../config/clock.js';
import { getVersion, listCampaigns } from '../store/campaigns-repo.js';
import { findCounters } from '../store/engagement-repo.js';
import { engagementTotal, per1000, zeroTotals } from '../reports/tabulate.js';
import type { Segment } from '../shared/groups.js';
import { inScope, type Actor } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { requireGrant } from './errors.js';

/** The reviewed content library as the console shows it: each post, its texts as groups see them, where it is used and how it did. */

export interface PostFilter {
  scamType?: string | undefined;
  audience?: Segment | undefined;
  tag?: string | undefined;
  /** Only posts valid now (inside validFrom … validUntil). */
  validNow?: boolean | undefined;
}

export interface PostView {
  id: string;
  title: string;
  audiences: Segment[];
  scamTypes: string[];
  tags: string[];
  link?: string | undefined;
  validFrom?: Date | undefined;
  validUntil?: Date | undefined;
  validNow: boolean;
  /** Each variant as a group of each of its audiences would read it (a sample group of the actor's district). */
  previews: { segment: Segment; variant: number; text: string }[];
  /** Campaigns whose latest version can send it. */
  usedBy: { id: string; name: string; status: string }[];
  /** Its last 30 days: posts sent, members reached, engagements and per 1,000 reached, link clicks. */
  last30: { sent: number; reach: number; engagements: number; per1000: number; click: number };
}

export async function listPosts(ctx: AppContext, actor: Actor, f: PostFilter = {}): Promise<PostView[]> {
  requireGrant(actor, 'campaigns:read');
  const now = ctx.clock.now();
  const ref = ctx.content().ref;
  const district = ref.districts.find((d) => actor.scope.kind !== 'city' && d.name === actor.scope.district) ?? ref.districts[0]!;
  const sample = { district: district.name, station: actor.scope.kind === 'station' ? actor.scope.station : district.stations[0] };
  const store = await ctx.store();
  const usedBy = new Map<string, PostView['usedBy']>();
  for (const c of await listCampaigns(store)) {
    if (!c.version || !inScope(actor.scope, { districts: c.districts })) continue;
    for (const p of (await getVersion(store, c._id, c.version))?.posts ?? []) (usedBy.get(p.id) ?? usedBy.set(p.id, []).get(p.id)!).push({ id: c._id, name: c.name, status: c.status });
  }
  const stats = new Map<string, ReturnType<typeof zeroTotals>>();
  // a district's (or station's) user sees the posts' figures in their district; the city's, the city's
  const since = { day: { $gte: shiftDay(shanghaiDay(now), -29) } };
  const counters = actor.scope.kind === 'city' ? findCounters(store, 'post', since) : findCounters(store, 'post_d', { ...since, district: actor.scope.district });
  for (const c of await counters) {
    const t = stats.get(c.postId ?? '') ?? stats.set(c.postId ?? '', zeroTotals()).get(c.postId ?? '')!;
    for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += c[k] ?? 0;
  }
  return ctx
    .library()
    .filter((p) => {
      const valid = (!p.validFrom || p.validFrom <= now) && (!p.validUntil || p.validUntil >= now);
      return (!f.scamType || p.scamTypes.includes(f.scamType)) && (!f.audience || p.audiences.includes(f.audience)) && (!f.tag || p.tags.includes(f.tag)) && (!f.validNow || valid);
    })
    .map((p) => {
      const t = stats.get(p.id) ?? zeroTotals();
      const engagements = engagementTotal(t);
      return {
        id: p.id, title: p.title, audiences: p.audiences, scamTypes: p.scamTypes, tags: p.tags, link: p.link, validFrom: p.validFrom, validUntil: p.validUntil,
        validNow: (!p.validFrom || p.validFrom <= now) && (!p.validUntil || p.validUntil >= now),
        previews: p.audiences.flatMap((segment) => p.variants.map((_, variant) => ({ segment, variant: variant + 1, text: renderPost(p, variant, sample, ref) }))),
        usedBy: usedBy.get(p.id) ?? [],
        last30: { sent: t.sent, reach: t.reach, engagements, per1000: per1000(engagements, t.reach), click: t.click },
      };
    });
}
