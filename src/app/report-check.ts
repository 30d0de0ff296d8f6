import type { Store } from '../store/connection.js';
import { findSentRowsOfDay } from '../store/deliveries-repo.js';
import { findCounters, findEngagementsOfDay, findSketches } from '../store/engagement-repo.js';
import { listGroups } from '../store/groups-repo.js';
import { deliveryEvents } from '../outbox/delivery-state.js';
import { areaOf } from '../engagement/area-index.js';
import { MERGE_EXACT_MAX, ReachSketch } from '../engagement/reach-sketch.js';
import { checkDay, type CheckRow, type SentRecord } from '../reports/check.js';
import type { AppContext } from './context.js';

export type { CheckRow } from '../reports/check.js';

export interface ReportCheck {
  day: string;
  /** What the day's records hold: posts sent (from the outbox), their reach, engagement events. */
  records: { sent: number; reach: number; engagements: number };
  /** Where the counters differ from the records (empty: reports equal what happened). */
  differences: CheckRow[];
}

/**
 * Recompute a day's figures from the records — the outbox's sent outcomes
 * (a delivery counts once, as sent, whatever else happened to it; an
 * `unknown` one never) and the engagement events — and compare them with the
 * counters the reports read: per campaign, segment × district and post ×
 * district (both by the groups' tags now), post and group, and the distinct
 * groups reached.
 */
export async function reportCheck(ctx: AppContext, day: string): Promise<ReportCheck> {
  return checkStoredDay(await ctx.store(), day);
}

/** The same on a store (tests, tools). */
export async function checkStoredDay(store: Store, day: string): Promise<ReportCheck> {
  const [rows, groups, engagements, campaign, area, post, postDistrict, group, sketches] = await Promise.all([
    findSentRowsOfDay(store, day), listGroups(store), findEngagementsOfDay(store, day),
    findCounters(store, 'area_t', { day }), findCounters(store, 'area', { day }), findCounters(store, 'post', { day }), findCounters(store, 'post_d', { day }), findCounters(store, 'group', { day }),
    findSketches(store, 't', { day, kind: 'groups' }),
  ]);
  const areas = new Map(groups.map((g) => [g.id, areaOf(g)]));
  const sent = new Map<string, SentRecord>();
  for (const e of deliveryEvents(rows)) {
    if (e.kind !== 'sent' || e.day !== day || sent.has(e.deliveryId)) continue;
    const a = areas.get(e.groupId ?? '') ?? areaOf(undefined);
    sent.set(e.deliveryId, { deliveryId: e.deliveryId, campaignId: e.campaignId ?? '', postId: e.postId ?? '', groupId: e.groupId ?? '', reach: e.reach ?? 0, ...a });
  }
  const reached = new Map<string, ReachSketch>();
  for (const d of sketches) {
    const s = ReachSketch.from({ sparse: bytes(d.sparse), dense: bytes(d.dense) }, MERGE_EXACT_MAX);
    const acc = reached.get(d.campaignId);
    if (acc) acc.merge(s);
    else reached.set(d.campaignId, s);
  }
  const differences = checkDay({
    sent: [...sent.values()],
    engagements,
    counters: { campaign, area, post, postDistrict, group },
    groupsReached: new Map([...reached].map(([c, s]) => [c, { estimate: s.estimate(), exact: s.exact }])),
  });
  return { day, records: { sent: sent.size, reach: [...sent.values()].reduce((n, s) => n + s.reach, 0), engagements: engagements.length }, differences };
}

/** A stored binary as bytes (the driver may hand back a Buffer or a BSON Binary). */
function bytes(v: unknown): Uint8Array | undefined {
  if (!v) return undefined;
  if (v instanceof Uint8Array) return v;
  const b = v as { buffer?: unknown };
  return b.buffer instanceof Uint8Array ? b.buffer : undefined;
}
