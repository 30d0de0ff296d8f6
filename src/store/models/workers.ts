import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A running worker, as the others see it: renewed every tick and every lease
 * round while it lives. Workers share the bots out by it (see
 * `fleet/bot-share.ts`), and its bots' leases hold only while it does.
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
  /** Its generation: another worker that takes its bots over once its presence ran out fences this one off (see `leases-repo.ts`). */
  gen?: number;
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
    gen: Number,
  },
  { collection: 'workers', versionKey: false },
);

export type WorkerModel = Model<WorkerDoc>;
export function workerModel(conn: Connection): WorkerModel {
  return conn.model<WorkerDoc>('Worker', workerSchema);
}
