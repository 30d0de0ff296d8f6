import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';


/**
 * The outbox: one delivery per (run, group), written once by the planner and
 * never updated. `status` here is the state at planning (planned, or skipped /
 * failed with the reason); everything after — claims (planned → sending, with
 * a lease) before `say`, outcomes, retries, moves to another bot — is an
 * inserted event in `delivery_events`, and the current state is derived
 * (src/outbox/delivery-state.ts). A claim whose lease ran out without an
 * outcome becomes `unknown` and is never resent. A delivery its planner's
 * worker sends at once is written already claimed (`claimedBy`, `claimedAt`,
 * `leaseUntil`: its event 1). The `_id` comes from (run, group)
 * (`deliveryIdFor`), which makes that pair unique.
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
    status: { type: String, enum: ['planned', 'skipped', 'failed'], default: 'planned' },
    // (documents from before the event log may also hold sent / sending / unknown with reach, sentAt and day: read as final)
    reason: { type: String },
    notBefore: { type: Date, required: true },
    /** Claimed when written (the planner's worker sends it at once): event 1 of the delivery, without an event document. */
    claimedBy: String,
    claimedAt: Date,
    leaseUntil: Date,
    /** The group's quiet hours (Asia/Shanghai, e.g. 21:30–07:30) for a normal post: a lane that reaches it inside them puts it back until they end. */
    quiet: { from: String, to: String },
    /** The post's `validUntil`, when it has one: a lane that reaches the delivery later skips it ("post no longer valid"). */
    validUntil: Date,
  },
  { timestamps: true, collection: 'deliveries' },
);
// (run, group) is unique by the `_id` (deliveryIdFor): no second unique index to maintain on every insert;
// this one serves run reads on MongoDB (FerretDB v1 uses no secondary index for queries)
deliverySchema.index({ runId: 1, botId: 1 });
deliverySchema.index({ notBefore: -1 });
deliverySchema.index({ groupId: 1, notBefore: -1 });

export type DeliveryDoc = InferSchemaType<typeof deliverySchema>;
export type DeliveryModel = Model<DeliveryDoc>;

export function deliveryModel(conn: Connection): DeliveryModel {
  return conn.model<DeliveryDoc>('Delivery', deliverySchema);
}
