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

/**
 * Renew every lease this worker holds at once: two reads and one write,
 * whatever the number of bots (one round per bot read the whole collection
 * three times on FerretDB). Returns the bots it holds afterwards. A lease of
 * ours that ran out (this worker was paused, or cut off from the database)
 * is taken anew like anyone else's; one whose newest epoch is another
 * worker's is lost.
 */
export async function renewBotLeases(store: Store, botIds: readonly string[], workerId: string, ttlMs: number, now: Date): Promise<Set<string>> {
  if (botIds.length === 0) return new Set();
  const until = new Date(now.getTime() + ttlMs);
  const newestOf = async (ids: readonly string[]): Promise<Map<string, { _id: string; workerId: string; until: Date; epoch: number }>> => {
    const out = new Map<string, { _id: string; workerId: string; until: Date; epoch: number }>();
    for (const d of await store.models.Lease.find({ botId: { $in: [...ids] } }, { botId: 1, workerId: 1, until: 1, epoch: 1 }).lean()) {
      const seen = out.get(d.botId);
      if (!seen || d.epoch > seen.epoch) out.set(d.botId, d);
    }
    return out;
  };
  const newest = await newestOf(botIds);
  const live = botIds.filter((b) => newest.get(b)?.workerId === workerId && newest.get(b)!.until >= now);
  if (live.length) await store.models.Lease.updateMany({ _id: { $in: live.map((b) => newest.get(b)!._id) }, workerId }, { $set: { until } });
  // a takeover may have inserted the next epoch between the read and the write: only the newest epoch counts
  const after = live.length ? await newestOf(live) : new Map();
  const held = new Set(live.filter((b) => after.get(b)?._id === newest.get(b)!._id));
  // ours but run out: taken anew (the next epoch), unless someone else took it meanwhile
  for (const b of botIds) {
    const n = newest.get(b);
    if (n?.workerId === workerId && n.until < now && (await holdBotLease(store, b, workerId, ttlMs, now))) held.add(b);
  }
  return held;
}

/** Forget lease epochs that ran out more than a day ago (every takeover adds one). */
export async function forgetOldLeases(store: Store, now: Date): Promise<number> {
  return (await store.models.Lease.deleteMany({ until: { $lt: new Date(now.getTime() - 86_400_000) } })).deletedCount;
}

/** Give a bot's lease up (clean shutdown), so another worker can take the bot at once. */
export async function releaseBotLease(store: Store, botId: string, workerId: string, now: Date): Promise<void> {
  await store.models.Lease.updateMany({ botId, workerId, until: { $gt: now } }, { $set: { until: now } });
}

/** Who held each bot last, and until when (a lease that ran out included): what a worker starting up waits for. */
export async function lastLeases(store: Store): Promise<Map<string, { workerId: string; until: Date }>> {
  const out = new Map<string, { workerId: string; until: Date; epoch: number }>();
  for (const d of await store.models.Lease.find({}, { botId: 1, workerId: 1, until: 1, epoch: 1 }).lean()) {
    const seen = out.get(d.botId);
    if (!seen || d.epoch > seen.epoch) out.set(d.botId, d);
  }
  return out;
}

/** The worker holding each bot now. */
export async function leaseHolders(store: Store, now: Date): Promise<Map<string, string>> {
  const docs = await store.models.Lease.find({ until: { $gte: now } }).sort({ epoch: 1 }).lean();
  const out = new Map<string, string>();
  for (const d of docs) out.set(d.botId, d.workerId);
  return out;
}
