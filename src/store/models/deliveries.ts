import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

export const DELIVERY_STATUSES = ['planned', 'sending', 'sent', 'failed', 'skipped', 'unknown'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** A delivery in one of these states is done and never changes again. */
export const FINAL_STATUSES: readonly DeliveryStatus[] = ['sent', 'failed', 'skipped', 'unknown'];

/**
 * The outbox: one delivery per (run, group). A worker claims a delivery
 * (planned → sending, with a lease) before it calls `say`; a claim whose
 * lease ran out without confirmation becomes `unknown` and is never resent.
 */
const deliverySchema = new Schema(
  {
    runId: { type: String, required: true },
    campaignId: { type: String, required: true },
    groupId: { type: Schema.Types.ObjectId, required: true },
    roomId: { type: String, required: true },
    botId: { type: String, required: true },
    postId: { type: String, required: true },
    contentHash: { type: String, required: true },
    text: { type: String, required: true },
    /** 1 = urgent, goes ahead of normal (0) in every queue. */
    priority: { type: Number, default: 0 },
    status: { type: String, enum: DELIVERY_STATUSES, default: 'planned' },
    reason: { type: String },
    attempts: { type: Number, default: 0 },
    failures: { type: Number, default: 0 },
    notBefore: { type: Date, required: true },
    leaseUntil: { type: Date },
    claimedBy: { type: String },
    claimedAt: { type: Date },
    sentAt: { type: Date },
    /** Members of the group at send time, bots excluded. */
    reach: { type: Number },
    /** Asia/Shanghai day of sending, YYYY-MM-DD, stored on write for reports. */
    day: { type: String },
  },
  { timestamps: true, collection: 'deliveries' },
);
deliverySchema.index({ runId: 1, groupId: 1 }, { unique: true });
deliverySchema.index({ status: 1, botId: 1, priority: -1, notBefore: 1 });
deliverySchema.index({ status: 1, leaseUntil: 1 });
deliverySchema.index({ groupId: 1, sentAt: -1 });

export type DeliveryDoc = InferSchemaType<typeof deliverySchema>;
export type DeliveryModel = Model<DeliveryDoc>;

export function deliveryModel(conn: Connection): DeliveryModel {
  return conn.model<DeliveryDoc>('Delivery', deliverySchema);
}
