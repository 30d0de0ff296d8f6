import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Which worker runs which bot. `_id` = `<botId>#<epoch>`: taking over an
 * expired lease inserts the next epoch, a unique insert that exactly one
 * worker wins (atomic on FerretDB v1 as on MongoDB).
 */
export interface LeaseDoc {
  _id: string;
  botId: string;
  epoch: number;
  workerId: string;
  until: Date;
}

const leaseSchema = new Schema<LeaseDoc>(
  {
    _id: { type: String, required: true },
    botId: { type: String, required: true },
    epoch: { type: Number, required: true },
    workerId: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { collection: 'leases', versionKey: false },
);
leaseSchema.index({ botId: 1, epoch: -1 });

export type LeaseModel = Model<LeaseDoc>;
export function leaseModel(conn: Connection): LeaseModel {
  return conn.model<LeaseDoc>('Lease', leaseSchema);
}
