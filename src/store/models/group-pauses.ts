import { Schema, type Connection, type Model } from 'mongoose';

/**
 * The newest pause or resume of a group by an officer (`暂停` / `恢复`), kept
 * for as long as a claim's lease. Every worker reads the whole collection
 * every second with the paused campaigns, so a post that a lane of another
 * worker already holds claimed for the group is not sent after the pause
 * either. The group's own `status` is the lasting record; this is only the
 * news of a change, and readers delete entries older than the lease, which
 * keeps the collection small. `_id` = the group's id.
 */
export interface GroupPauseDoc {
  _id: string;
  paused: boolean;
  at: Date;
}

const groupPauseSchema = new Schema<GroupPauseDoc>(
  {
    _id: { type: String, required: true },
    paused: { type: Boolean, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'group_pauses', versionKey: false },
);

export type GroupPauseModel = Model<GroupPauseDoc>;
export function groupPauseModel(conn: Connection): GroupPauseModel {
  return conn.model<GroupPauseDoc>('GroupPause', groupPauseSchema);
}
