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
