/**
 * The outbox's records as plain data: a delivery's statuses, and the events
 * that change it after planning (the store persists them in
 * `delivery_events`; the outbox folds them into states).
 */
export const DELIVERY_STATUSES = ['planned', 'sending', 'sent', 'failed', 'skipped', 'unknown'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** A delivery in one of these states is done and never changes again. */
export const FINAL_STATUSES: readonly DeliveryStatus[] = ['sent', 'failed', 'skipped', 'unknown'];

export const DELIVERY_EVENT_KINDS = ['claim', 'sent', 'failed', 'skipped', 'unknown', 'retry', 'moved'] as const;
export type DeliveryEventKind = (typeof DELIVERY_EVENT_KINDS)[number];

/** One sent post inside a `SentBatchDoc`: the `sent` event `seq` of one delivery. */
export interface SentItem {
  deliveryId: string;
  seq: number;
  groupId: string;
  postId: string;
  reach: number;
  sentAt: Date;
  day: string;
}

/**
 * The `sent` outcomes of one bot's posts in one run, written together (one
 * document per bot, run and write instead of one per post). Each item is
 * that delivery's `sent` event. A sent outcome needs no unique `_id`: the only
 * change that can race it is a lease expiry (`unknown`) by a sweep, and a
 * delivery that has both was sent, so `sent` wins in the fold. `_id` =
 * `sent:<random>`.
 */
export interface SentBatchDoc {
  _id: string;
  kind: 'sent-batch';
  runId: string;
  campaignId: string;
  botId: string;
  workerId: string;
  /** When it was written (every item was sent at or before this). */
  at: Date;
  items: SentItem[];
  /** The items' groups (attribution finds a group's recent posts by this). */
  groupIds: string[];
  /** items.length (summed for "sent in the last hour"). */
  count: number;
}

/**
 * The outbox's change log: every change of a delivery after planning is an
 * inserted event, never an update. `_id` = `<deliveryId>:<seq>`, where `seq`
 * is the number of events before it plus one, so two workers that both try
 * to change a delivery from the same state both insert the same `_id` and
 * only one succeeds — atomic on MongoDB and FerretDB v1 alike (a conditional
 * update is not atomic on FerretDB v1, and costs time proportional to the
 * collection there). A delivery's state is its planned document folded with
 * its events in `seq` order (src/outbox/delivery-state.ts). `sent` outcomes are
 * stored in sent batches (SentBatchDoc), one item per delivery.
 */
export interface DeliveryEventDoc {
  _id: string;
  deliveryId: string;
  runId: string;
  seq: number;
  kind: DeliveryEventKind;
  at: Date;
  /** claim: who claimed; others: who wrote the event. */
  workerId?: string;
  /** claim, sent: the sending bot; moved: the new bot. */
  botId?: string;
  /** moved: the group's new room id (the room came back under a new id). */
  roomId?: string;
  /** claim: until when the claim is held. */
  leaseUntil?: Date;
  /** retry: not before this time. */
  notBefore?: Date;
  /** retry: true when a send failed (counts against the retry budget), false when handed back unsent. */
  failed?: boolean;
  reason?: string;
  /** sent: members reached (bots excluded), time, Asia/Shanghai day and what engagement attribution needs. */
  reach?: number;
  sentAt?: Date;
  day?: string;
  groupId?: string;
  campaignId?: string;
  postId?: string;
}

/** What `delivery_events` holds. */
export type DeliveryEventRow = DeliveryEventDoc | SentBatchDoc;

/** A delivery as the planner wrote it (the `deliveries` document, ids as strings). */
export interface PlannedRecord {
  id: string;
  runId: string;
  campaignId: string;
  groupId: string;
  roomId: string;
  botId: string;
  postId: string;
  contentHash: string;
  text: string;
  priority: 0 | 1;
  notBefore: Date;
  /** At planning; `sent` and `unknown` only in documents from before the outbox became insert-only (they carry their outcome). */
  status: 'planned' | 'skipped' | 'failed' | 'sent' | 'unknown';
  reason?: string | undefined;
  reach?: number | undefined;
  sentAt?: Date | undefined;
  day?: string | undefined;
  /**
   * Claimed when written (event 1, held in the document): the planner's
   * worker sends it at once, so it needs no claim event of its own.
   */
  claim?: { workerId: string; at: Date; leaseUntil: Date } | undefined;
  /** The group's quiet hours (Asia/Shanghai wall time): a lane that reaches it inside them puts it back until they end. */
  quiet?: { from: string; to: string } | undefined;
  /** The post's last valid moment (its `validUntil`): a lane that reaches it later skips it instead of sending a stale warning. */
  validUntil?: Date | undefined;
}

/** A delivery the planner wants in the outbox (a planned record whose id may still be chosen there). */
export interface PlannedDelivery extends Omit<PlannedRecord, 'id' | 'status' | 'reason'> {
  /** `deliveryIdFor(runId, groupId)` unless given. */
  id?: string;
  /** Planned by default; a target the planner could not serve is recorded as skipped or failed, with the reason. */
  status?: 'planned' | 'skipped' | 'failed';
  reason?: string;
}
