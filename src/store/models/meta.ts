import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Small named values shared by every worker, read by `_id` only (the one
 * lookup FerretDB v1 does not answer by reading the whole collection). Today:
 * `registry` — a fresh random value written on every change of the group
 * registry, so a registry read made earlier can tell whether it is still current.
 */
export interface MetaDoc {
  _id: string;
  v: string;
}

const metaSchema = new Schema<MetaDoc>(
  {
    _id: { type: String, required: true },
    v: { type: String, required: true },
  },
  { collection: 'meta', versionKey: false },
);

export type MetaModel = Model<MetaDoc>;
export function metaModel(conn: Connection): MetaModel {
  return conn.model<MetaDoc>('Meta', metaSchema);
}
