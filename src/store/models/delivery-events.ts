import { Schema, type Connection, type Model } from 'mongoose';
import { DELIVERY_EVENT_KINDS, type DeliveryEventDoc, type DeliveryEventRow, type SentBatchDoc } from '../../shared/outbox-records.js';

const eventSchema = new Schema<DeliveryEventDoc | (SentBatchDoc & { unit?: string })>(
  {
    _id: { type: String, required: true },
    deliveryId: String,
    runId: { type: String, required: true },
    seq: Number,
    kind: { type: String, enum: [...DELIVERY_EVENT_KINDS, 'sent-batch'], required: true },
    at: { type: Date, required: true },
    workerId: String,
    botId: String,
    roomId: String,
    leaseUntil: Date,
    notBefore: Date,
    failed: Boolean,
    reason: String,
    reach: Number,
    sentAt: Date,
    day: String,
    groupId: String,
    campaignId: String,
    postId: String,
    // sent-batch documents (SentBatchDoc)
    items: Schema.Types.Mixed,
    groupIds: { type: [String], default: undefined },
    count: Number,
    /** The tally unit that counts a sent batch (`<session>:s<seq>`; see engagement/tally.ts). */
    unit: String,
  },
  { collection: 'delivery_events', versionKey: false },
);
eventSchema.index({ runId: 1 });
eventSchema.index({ deliveryId: 1 });
eventSchema.index({ botId: 1, at: -1 });
eventSchema.index({ kind: 1, sentAt: -1 });
eventSchema.index({ groupId: 1, sentAt: -1 });
eventSchema.index({ groupIds: 1, at: -1 });

export type DeliveryEventModel = Model<DeliveryEventRow>;

export function deliveryEventModel(conn: Connection): DeliveryEventModel {
  return conn.model<DeliveryEventRow>('DeliveryEvent', eventSchema);
}
