import { Schema, type Connection, type Model } from 'mongoose';
import { AREA_CUTS, COUNTER_LEVELS, COUNTER_MEASURES, ENGAGEMENT_KINDS, type AreaCut, type CounterLevel, type EngagementDoc } from '../../shared/counters.js';

const engagementSchema = new Schema<EngagementDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true, enum: ENGAGEMENT_KINDS },
    at: { type: Date, required: true },
    day: { type: String, required: true },
    deliveryId: { type: String, required: true },
    campaignId: { type: String, required: true },
    postId: { type: String, required: true },
    groupId: { type: String, required: true },
    segment: { type: String, required: true },
    district: { type: String, required: true },
    memberKey: String,
    client: String,
  },
  { collection: 'engagements', versionKey: false },
);
engagementSchema.index({ day: 1, campaignId: 1 });

/**
 * Daily counters, the numbers reports read. Each writer (worker process, link
 * server) adds only to its own documents (`writer` is part of the key), so
 * `$inc` never races another process, on FerretDB v1 as on MongoDB; reports
 * sum over writers. Each level its own collection, so a report reads only
 * the documents of its level:
 * - `area`:  day × campaign × segment × district (reach and engagement by day, segment, district, campaign), and its roll-ups
 * - `post`:  day × campaign × post (top posts); `post_d`: the same per district (a district's top posts)
 * - `group`: day × campaign × group (groups that never engage)
 */
export interface CounterDoc {
  _id: string;
  day: string;
  campaignId: string;
  writer: string;
  segment?: string;
  district?: string;
  postId?: string;
  groupId?: string;
  sent: number;
  reach: number;
  reply: number;
  mention: number;
  keyword: number;
  question: number;
  click: number;
  /**
   * Exactly once (area and post levels): the last flush of its writer session applied to it, and how far that
   * session's units reach in it (every sent unit up to `sUpTo`, every engagement unit up to `eUpTo`).
   */
  f?: number;
  sUpTo?: number;
  eUpTo?: number;
}

const counterSchema = new Schema<CounterDoc>(
  {
    _id: { type: String, required: true },
    day: { type: String, required: true },
    campaignId: { type: String, required: true },
    writer: { type: String, required: true },
    segment: String,
    district: String,
    postId: String,
    groupId: String,
    // no defaults: an upsert's $inc creates the measures it adds (a default would collide with $inc)
    ...Object.fromEntries(COUNTER_MEASURES.map((m) => [m, Number])),
    f: Number,
    sUpTo: Number,
    eUpTo: Number,
  },
  { versionKey: false },
);
counterSchema.index({ day: 1 });

/** Distinct members (and groups) reached per day × campaign × segment × district, per writer: see ReachSketch. */
export interface SketchDocument {
  _id: string;
  kind: 'members' | 'groups';
  day: string;
  campaignId: string;
  segment: string;
  district: string;
  writer: string;
  sparse?: Buffer;
  dense?: Buffer;
}

const sketchSchema = new Schema<SketchDocument>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true, enum: ['members', 'groups'] },
    day: { type: String, required: true },
    campaignId: { type: String, required: true },
    segment: { type: String, required: true },
    district: { type: String, required: true },
    writer: { type: String, required: true },
    sparse: Buffer,
    dense: Buffer,
  },
  { collection: 'sketches', versionKey: false },
);
sketchSchema.index({ kind: 1, day: 1 });

/**
 * A tally session: one writer process's counting (engagement/tally.ts), how far its units are applied to
 * every counter document it writes, and whether it ended. A session whose process died is completed by
 * another from its units (engagement/tally-recovery.ts).
 */
export interface TallySessionDoc {
  _id: string;
  /** The worker (or link server) it counts for. */
  writer: string;
  startedAt: Date;
  /** Its last sign of life: a flush, or a keep-alive. */
  seenAt: Date;
  /** Its process gives up after the database was unreachable this long: a session silent longer is dead. */
  exitAfterMs: number;
  /** Every unit up to these is applied to every counter document of the session. */
  sUpTo: number;
  eUpTo: number;
  /** The last flush written whole. */
  f: number;
  closedAt?: Date;
  /** Who completed it after its process died. */
  adoptedBy?: string;
}

const tallySessionSchema = new Schema<TallySessionDoc>(
  {
    _id: { type: String, required: true },
    writer: { type: String, required: true },
    startedAt: { type: Date, required: true },
    seenAt: { type: Date, required: true },
    exitAfterMs: { type: Number, required: true },
    sUpTo: { type: Number, required: true },
    eUpTo: { type: Number, required: true },
    f: { type: Number, required: true },
    closedAt: Date,
    adoptedBy: String,
  },
  { collection: 'tally_sessions', versionKey: false },
);

export type EngagementModel = Model<EngagementDoc>;
export type TallySessionModel = Model<TallySessionDoc>;
export type CounterModel = Model<CounterDoc>;
export type SketchModel = Model<SketchDocument>;

export function engagementModels(conn: Connection): { Engagement: EngagementModel; Counters: Record<CounterLevel, CounterModel>; Sketches: Record<AreaCut, SketchModel>; TallySession: TallySessionModel } {
  const name = (s: string): string => s.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  return {
    Engagement: conn.model<EngagementDoc>('Engagement', engagementSchema),
    TallySession: conn.model<TallySessionDoc>('TallySession', tallySessionSchema),
    Counters: Object.fromEntries(COUNTER_LEVELS.map((l) => [l, conn.model<CounterDoc>(`Counter${name(l)}`, counterSchema, `counters_${l}`)])) as Record<CounterLevel, CounterModel>,
    Sketches: Object.fromEntries(
      (Object.keys(AREA_CUTS) as AreaCut[]).map((c) => [c, conn.model<SketchDocument>(`Sketch${c.toUpperCase()}`, sketchSchema, c === 'sd' ? 'sketches' : `sketches_${c}`)]),
    ) as Record<AreaCut, SketchModel>,
  };
}
