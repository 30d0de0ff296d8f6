/** What reach and engagement are counted by (the store keeps the counters; reports read them). */
export const ENGAGEMENT_KINDS = ['reply', 'mention', 'keyword', 'question', 'click'] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];
/** Measures a counter document adds up. */
export const COUNTER_MEASURES = ['sent', 'reach', ...ENGAGEMENT_KINDS] as const;
export type CounterMeasure = (typeof COUNTER_MEASURES)[number];

/**
 * One engagement with a post: a member replied, mentioned the bot, answered
 * with a reviewed keyword, asked the bot, or opened the post's tracked link.
 * The member appears only as a keyed hash (none for clicks); clicks keep only
 * a coarse client family, never an address or a user agent.
 */
export interface EngagementDoc {
  _id: string;
  kind: EngagementKind;
  at: Date;
  day: string;
  deliveryId: string;
  campaignId: string;
  postId: string;
  groupId: string;
  segment: string;
  district: string;
  memberKey?: string;
  client?: string;
}

/**
 * Area figures are also kept rolled up (`*` for the dimension left out), each
 * cut in its own collection: a report reads the smallest cut that has the
 * dimensions it needs (reach by segment and day reads 4 segments × 30 days,
 * not 52 cells × 30 days). FerretDB v1 reads every document of a collection
 * for any filter, so fewer documents is what makes a report fast there.
 */
export const AREA_CUTS = { sd: ['segment', 'district'], s: ['segment'], d: ['district'], t: [] } as const;
export type AreaCut = keyof typeof AREA_CUTS;
export const ROLLED_UP = '*';

/** Counter levels: the area cuts, posts (per day and campaign), posts per district (a district's analysts and weekly report rank its own posts), groups. */
export const COUNTER_LEVELS = ['area', 'area_s', 'area_d', 'area_t', 'post', 'post_d', 'group'] as const;
export type CounterLevel = (typeof COUNTER_LEVELS)[number];
/** The counter level of an area cut. */
export const AREA_LEVEL: Record<AreaCut, CounterLevel> = { sd: 'area', s: 'area_s', d: 'area_d', t: 'area_t' };

