import type { Store } from './connection.js';
import { insertOnce } from './once.js';

/**
 * Hold (take or renew) the lease of a bot for `ttlMs`. Returns the epoch this
 * worker holds afterwards, undefined when it does not hold it. A lease held by
 * another live worker is left alone; an expired one is taken over with the
 * next epoch, which only one worker can insert.
 */
export async function holdBotLease(store: Store, botId: string, workerId: string, ttlMs: number, now: Date): Promise<number | undefined> {
  const until = new Date(now.getTime() + ttlMs);
  const current = await store.models.Lease.findOne({ botId }).sort({ epoch: -1 }).lean();
  if (current && current.workerId === workerId) {
    if (current.until < now) {
      // our own lease ran out (e.g. we were paused): someone may be taking over, so take it anew like anyone else
    } else {
      const res = await store.models.Lease.updateOne({ _id: current._id, workerId }, { $set: { until } });
      // a newer epoch may exist already; check we are still the newest
      const newest = await store.models.Lease.findOne({ botId }).sort({ epoch: -1 }).lean();
      return res.modifiedCount === 1 && newest?._id === current._id ? current.epoch : undefined;
    }
  }
  if (current && current.until >= now && current.workerId !== workerId) return undefined;
  const epoch = (current?.epoch ?? 0) + 1;
  return (await insertOnce(store.models.Lease, { _id: leaseId(botId, epoch), botId, epoch, workerId, until })) ? epoch : undefined;
}

const leaseId = (botId: string, epoch: number): string => `${botId}#${epoch}`;

/**
 * Renew the leases this worker holds (bot → the epoch it holds) in two
 * queries whatever the number of bots: a write of its own epochs, then a look
 * for them and for the next epochs (a takeover inserts the next one; only the
 * newest counts). A query per bot (400 a round for 200 bots) kept FerretDB
 * busy on its own. Returns the bots it still holds; a lease of ours that ran
 * out and that nobody took meanwhile is held again.
 */
export async function renewBotLeases(store: Store, held: ReadonlyMap<string, number>, ttlMs: number, now: Date): Promise<Set<string>> {
  if (held.size === 0) return new Set();
  const own = [...held].map(([botId, epoch]) => leaseId(botId, epoch));
  await store.models.Lease.updateMany({ _id: { $in: own } }, { $set: { until: new Date(now.getTime() + ttlMs) } });
  const next = [...held].map(([botId, epoch]) => leaseId(botId, epoch + 1));
  const found = new Set((await store.models.Lease.find({ _id: { $in: [...own, ...next] } }, { _id: 1 }).lean()).map((d) => d._id));
  return new Set([...held].filter(([botId, epoch]) => found.has(leaseId(botId, epoch)) && !found.has(leaseId(botId, epoch + 1))).map(([botId]) => botId));
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
