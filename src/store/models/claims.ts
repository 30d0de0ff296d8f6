import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One document per claim of a delivery attempt, `_id` = `<deliveryId>:<attempt>`.
 * Inserting it is the claim: a unique `_id` insert is atomic on MongoDB and
 * on FerretDB v1 alike, while FerretDB v1 (SQLite) does not make a
 * conditional `findOneAndUpdate`/`updateOne` atomic under concurrency (two
 * workers could both "win"). Measured here; see ARCHITECTURE.md.
 */
export interface ClaimDoc {
  _id: string;
  deliveryId: string;
  workerId: string;
  at: Date;
}

const claimSchema = new Schema<ClaimDoc>(
  {
    _id: { type: String, required: true },
    deliveryId: { type: String, required: true },
    workerId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'claims', versionKey: false },
);

export type ClaimModel = Model<ClaimDoc>;

export function claimModel(conn: Connection): ClaimModel {
  return conn.model<ClaimDoc>('Claim', claimSchema);
}
