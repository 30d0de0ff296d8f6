import { Schema, type Connection, type Model } from 'mongoose';

/** One per (campaign, scheduled time): `_id` = `<campaignId>@<ISO time>`, so a second scheduler creates nothing. */
export interface RunDoc {
  _id: string;
  campaignId: string;
  scheduledAt: Date;
  createdBy: string;
  createdAt: Date;
  /** The campaign content the run was planned from (scheduler runs): a planning resumed after a crash must use the same. */
  contentHash?: string;
  planned?: number;
  skipped?: number;
  plannedAt?: Date;
  /** Set once every delivery of the run is final: workers' sweeps no longer read it. */
  closedAt?: Date;
  /** How long a post waits for a bot of its group when none is online (the campaign's setting; workers' default when unset). */
  waitForBotMs?: number;
}

const runSchema = new Schema<RunDoc>(
  {
    _id: { type: String, required: true },
    campaignId: { type: String, required: true },
    scheduledAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    contentHash: String,
    planned: Number,
    skipped: Number,
    plannedAt: Date,
    closedAt: Date,
    waitForBotMs: Number,
  },
  { collection: 'runs', versionKey: false },
);
runSchema.index({ campaignId: 1, scheduledAt: -1 });

export type RunModel = Model<RunDoc>;
export function runModel(conn: Connection): RunModel {
  return conn.model<RunDoc>('Run', runSchema);
}
