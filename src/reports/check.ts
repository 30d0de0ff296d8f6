import { COUNTER_MEASURES, ENGAGEMENT_KINDS, type CounterMeasure, type EngagementKind } from '../shared/counters.js';

/**
 * `zhimi report check`: a day's counters against what they count, recomputed
 * from the records themselves — sent posts from the outbox's sent outcomes,
 * engagement from the engagement events. Pure: the app reads both and this
 * says where they differ.
 */

/** One sent post of the day, from the outbox. */
export interface SentRecord {
  deliveryId: string;
  campaignId: string;
  postId: string;
  groupId: string;
  reach: number;
  /** Its group's area now (the registry's tags: a group re-tagged since counts elsewhere in the area rows). */
  segment: string;
  district: string;
}

/** One engagement event of the day. */
export interface EngagementRecord {
  campaignId: string;
  postId: string;
  groupId: string;
  segment: string;
  district: string;
  kind: EngagementKind;
}

/** A counter document as stored (any writer). */
export type CounterRecord = Partial<Record<CounterMeasure, number>> & { campaignId: string; postId?: string; groupId?: string; segment?: string; district?: string };

/** A difference: what the records say, what the counters say. */
export interface CheckRow {
  /** Which counters: `campaign` (all areas), `area` (segment × district), `post`, `post by district`, `group`, `groups reached`. */
  level: string;
  campaign: string;
  /** The post, group or area the row is about ('' for a campaign). */
  key: string;
  measure: string;
  records: number;
  counters: number;
}

export interface CheckInput {
  sent: readonly SentRecord[];
  engagements: readonly EngagementRecord[];
  /** Counters of the day at the whole-campaign cut (area_t), the segment × district cut, the post, post × district and group levels. */
  counters: { campaign: readonly CounterRecord[]; area: readonly CounterRecord[]; post: readonly CounterRecord[]; postDistrict: readonly CounterRecord[]; group: readonly CounterRecord[] };
  /** Distinct groups reached per campaign by the sketches (and whether exact). */
  groupsReached: ReadonlyMap<string, { estimate: number; exact: boolean }>;
}

type Totals = Record<string, number>;

/** Every difference between the day's records and its counters (empty: they agree). */
export function checkDay(i: CheckInput): CheckRow[] {
  const rows: CheckRow[] = [];
  const measures = ['sent', 'reach', ...ENGAGEMENT_KINDS] as const;
  const compare = (level: string, keyOf: (r: { campaignId: string } & Record<string, unknown>) => string, counted: readonly CounterRecord[], only: readonly string[] = measures): void => {
    const fromRecords = new Map<string, Totals>();
    const add = (key: string, m: string, n: number): void => {
      const t = fromRecords.get(key) ?? fromRecords.set(key, {}).get(key)!;
      t[m] = (t[m] ?? 0) + n;
    };
    for (const s of i.sent) {
      const key = keyOf(s as unknown as { campaignId: string } & Record<string, unknown>);
      add(key, 'sent', 1);
      add(key, 'reach', s.reach);
    }
    for (const e of i.engagements) add(keyOf(e as unknown as { campaignId: string } & Record<string, unknown>), e.kind, 1);
    const fromCounters = new Map<string, Totals>();
    for (const c of counted) {
      const key = keyOf(c as unknown as { campaignId: string } & Record<string, unknown>);
      const t = fromCounters.get(key) ?? fromCounters.set(key, {}).get(key)!;
      for (const m of COUNTER_MEASURES) t[m] = (t[m] ?? 0) + Number(c[m] ?? 0);
    }
    for (const key of [...new Set([...fromRecords.keys(), ...fromCounters.keys()])].sort()) {
      const [campaign, rest] = splitKey(key);
      for (const m of only) {
        const a = fromRecords.get(key)?.[m] ?? 0;
        const b = fromCounters.get(key)?.[m] ?? 0;
        if (a !== b) rows.push({ level, campaign, key: rest, measure: m, records: a, counters: b });
      }
    }
  };
  compare('campaign', (r) => `${r.campaignId}\u0000`, i.counters.campaign);
  compare('area', (r) => `${r.campaignId}\u0000${String(r['segment'])} ${String(r['district'])}`, i.counters.area);
  compare('post', (r) => `${r.campaignId}\u0000${String(r['postId'])}`, i.counters.post);
  // (a day counted before posts were counted per district has post counters and none per district: nothing to compare)
  if (i.counters.postDistrict.length > 0 || i.counters.post.length === 0) {
    compare('post by district', (r) => `${r.campaignId}\u0000${String(r['postId'])} ${String(r['district'])}`, i.counters.postDistrict);
  }
  compare('group', (r) => `${r.campaignId}\u0000${String(r['groupId'])}`, i.counters.group);
  // distinct groups reached, from the groups sketches (exact up to 512 groups a campaign and day, then within ±1.6 %)
  const distinct = new Map<string, Set<string>>();
  for (const s of i.sent) (distinct.get(s.campaignId) ?? distinct.set(s.campaignId, new Set()).get(s.campaignId)!).add(s.groupId);
  for (const campaign of [...new Set([...distinct.keys(), ...i.groupsReached.keys()])].sort()) {
    const a = distinct.get(campaign)?.size ?? 0;
    const g = i.groupsReached.get(campaign);
    const b = g?.estimate ?? 0;
    const close = g && !g.exact ? Math.abs(a - b) <= Math.max(1, Math.ceil(0.05 * a)) : a === b;
    if (!close) rows.push({ level: 'groups reached', campaign, key: '', measure: 'groups', records: a, counters: b });
  }
  return rows;
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf('\u0000');
  return [key.slice(0, at), key.slice(at + 1)];
}
