import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A running worker, as the others see it: renewed every tick while it lives.
 * Workers share the bots out by it (see `fleet/bot-share.ts`).
 */
export interface WorkerDoc {
  _id: string;
  /** Bots this worker runs (or is starting) now. */
  held: number;
  /** Bots that failed to start in this worker lately: no bot is handed over to it. */
  failing: string[];
  startedAt: Date;
  until: Date;
  /** When it last renewed this document, and how often it does (its tick): late beyond two ticks. */
  renewedAt?: Date;
  everyMs?: number;
}

const workerSchema = new Schema<WorkerDoc>(
  {
    _id: { type: String, required: true },
    held: { type: Number, required: true },
    failing: { type: [String], default: [] },
    startedAt: { type: Date, required: true },
    until: { type: Date, required: true },
    renewedAt: Date,
    everyMs: Number,
  },
  { collection: 'workers', versionKey: false },
);

export type WorkerModel = Model<WorkerDoc>;
export function workerModel(conn: Connection): WorkerModel {
  return conn.model<WorkerDoc>('Worker', workerSchema);
}
