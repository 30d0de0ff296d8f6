import type { DeliveryEventDoc } from '../shared/outbox-records.js';
import { bySeq } from './delivery-state.js';

type TimedEvent = Pick<DeliveryEventDoc, 'deliveryId' | 'seq' | 'kind' | 'at' | 'botId' | 'sentAt'>;

/**
 * When each bot posted, for its sliding limits (pure): sent posts at their
 * send time, and claims without an outcome or with an unknown one at their
 * claim time (maybe posted). A claim given back unsent does not count.
 */
export function sendTimesFrom(events: readonly TimedEvent[]): Map<string, number[]> {
  const byDelivery = new Map<string, TimedEvent[]>();
  for (const e of events) (byDelivery.get(e.deliveryId) ?? byDelivery.set(e.deliveryId, []).get(e.deliveryId)!).push(e);
  const out = new Map<string, number[]>();
  const add = (bot: string, t: number): void => void (out.get(bot) ?? out.set(bot, []).get(bot)!).push(t);
  for (const list of byDelivery.values()) {
    let claim: { bot: string; t: number } | undefined;
    for (const e of list.sort(bySeq)) {
      if (e.kind === 'claim') claim = { bot: e.botId!, t: e.at.getTime() };
      else if (e.kind === 'sent') {
        add(e.botId!, (e.sentAt ?? e.at).getTime());
        claim = undefined;
        break;
      } else if (e.kind !== 'unknown') claim = undefined;
    }
    if (claim) add(claim.bot, claim.t);
  }
  return out;
}
