import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

import { GROUP_STATUSES, SEGMENTS } from '../../shared/groups.js';

/**
 * The group registry. A group is `pending` until an officer tags it with a
 * district and segments; only `active` groups receive campaign posts.
 * Members appear only as counts and keyed hashes (`memberSample`), never ids.
 */
const groupSchema = new Schema(
  {
    /** The puppet's current room id (some puppets change it after a restart). */
    roomId: { type: String, required: true },
    /** Earlier room ids of the same group. */
    previousRoomIds: { type: [String], default: [] },
    topic: { type: String, required: true },
    district: { type: String },
    station: { type: String },
    segments: { type: [String], enum: SEGMENTS, default: [] },
    tags: { type: [String], default: [] },
    /** Members at the last look, bots of the fleet excluded. */
    memberCount: { type: Number, required: true, default: 0 },
    /** Fleet bots that are members. */
    botIds: { type: [String], default: [] },
    status: { type: String, enum: GROUP_STATUSES, default: 'pending' },
    /** Keyed hashes of a sample of members, to recognise the group under a new room id. */
    memberSample: { type: [String], default: [] },
    joinedAt: { type: Date },
    invitedByKey: { type: String },
    taggedBy: { type: String },
    introducedAt: { type: Date },
    leftAt: { type: Date },
    lastPostAt: { type: Date },
    /** Changes with every officer or status write, so one undone by a concurrent update on FerretDB is seen and made again (groups-repo). */
    rev: { type: String },
  },
  { timestamps: true, collection: 'groups' },
);
groupSchema.index({ roomId: 1 }, { unique: true });
groupSchema.index({ status: 1, district: 1 });
groupSchema.index({ segments: 1 });

export type GroupDoc = InferSchemaType<typeof groupSchema>;
export type GroupModel = Model<GroupDoc>;

export function groupModel(conn: Connection): GroupModel {
  return conn.model<GroupDoc>('Group', groupSchema);
}
