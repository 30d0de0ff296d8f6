import type { Store } from './connection.js';
import { insertOnce } from './once.js';

/**
 * Hold (take or renew) the lease of a bot for `ttlMs`. True when this worker
 * holds it afterwards. A lease held by another live worker is left alone; an
 * expired one is taken over with the next epoch, which only one worker can insert.
 */
export async function holdBotLease(store: Store, botId: string, workerId: string, ttlMs: number, now: Date): Promise<boolean> {
  const until = new Date(now.getTime() + ttlMs);
  const current = await store.models.Lease.findOne({ botId }).sort({ epoch: -1 }).lean();
  if (current && current.workerId === workerId) {
    if (current.until < now) {
      // our own lease ran out (e.g. we were paused): someone may be taking over, so take it anew like anyone else
    } else {
      const res = await store.models.Lease.updateOne({ _id: current._id, workerId }, { $set: { until } });
      // a newer epoch may exist already; check we are still the newest
      const newest = await store.models.Lease.findOne({ botId }).sort({ epoch: -1 }).lean();
      return res.modifiedCount === 1 && newest?._id === current._id;
    }
  }
  if (current && current.until >= now && current.workerId !== workerId) return false;
  const epoch = (current?.epoch ?? 0) + 1;
  return insertOnce(store.models.Lease, { _id: `${botId}#${epoch}`, botId, epoch, workerId, until });
}

/** Give a bot's lease up (clean shutdown), so another worker can take the bot at once. */
export async function releaseBotLease(store: Store, botId: string, workerId: string, now: Date): Promise<void> {
  await store.models.Lease.updateMany({ botId, workerId, until: { $gt: now } }, { $set: { until: now } });
}

/** The worker holding each bot now. */
export async function leaseHolders(store: Store, now: Date): Promise<Map<string, string>> {
  const docs = await store.models.Lease.find({ until: { $gte: now } }).sort({ epoch: 1 }).lean();
  const out = new Map<string, string>();
  for (const d of docs) out.set(d.botId, d.workerId);
  return out;
}
