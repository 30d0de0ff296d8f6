import type { Store } from './connection.js';
import { insertOnce } from './once.js';
import { fenceWorker, presenceOf, type Presence } from './workers-repo.js';

/**
 * Hold (take or renew) the lease of a bot until `ttlMs` from now. Returns the
 * epoch this worker holds afterwards, undefined when it does not hold it. A
 * lease holds while its `until` has not passed and its worker's presence has
 * not run out (the presence is what a live worker renews every round; `until`
 * is a backstop renewed rarely). A lease held by another live worker is left
 * alone; one that ran out is taken over with the next epoch, which only one
 * worker can insert. `anew`: take even this worker's own lease with the next
 * epoch (it was fenced off, and may have lost it).
 */
export async function holdBotLease(store: Store, botId: string, workerId: string, ttlMs: number, now: Date, anew = false): Promise<number | undefined> {
  const until = new Date(now.getTime() + ttlMs);
  const current = await store.models.Lease.findOne({ botId }).sort({ epoch: -1 }).lean();
  if (current && current.workerId === workerId && !anew) {
    if (current.until < now) {
      // our own lease ran out (e.g. we were paused): someone may be taking over, so take it anew like anyone else
    } else {
      const res = await store.models.Lease.updateOne({ _id: current._id, workerId }, { $set: { until } });
      // a newer epoch may exist already; check we are still the newest
      const newest = await store.models.Lease.findOne({ botId }).sort({ epoch: -1 }).lean();
      return res.modifiedCount === 1 && newest?._id === current._id ? current.epoch : undefined;
    }
  }
  if (current && current.until >= now && current.workerId !== workerId && !(await holderGone(store, current.workerId, workerId, now))) return undefined;
  const epoch = (current?.epoch ?? 0) + 1;
  return (await insertOnce(store.models.Lease, { _id: leaseId(botId, epoch), botId, epoch, workerId, until })) ? epoch : undefined;
}

/**
 * Has the worker holding a lease let go of it: its presence ran out (or it has
 * none)? It is then fenced off before its presence is looked at again: a worker
 * that renewed meanwhile still holds its leases (and learns of the fence at
 * its next renewal, see `renewPresence`); one that did not cannot renew them
 * any more.
 */
async function holderGone(store: Store, holder: string, by: string, now: Date): Promise<boolean> {
  const seen = await presenceOf(store, holder);
  if (presenceHolds(seen, now)) return false;
  await fenceWorker(store, holder, seen?.gen ?? 0, by, now);
  const again = await presenceOf(store, holder);
  return again?.renewedAt?.getTime() === seen?.renewedAt?.getTime() && !presenceHolds(again, now);
}

/** A presence that has not run out. */
function presenceHolds(p: Pick<Presence, 'until'> | undefined, now: Date): boolean {
  return !!p && p.until >= now;
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

/**
 * Which of the last leases hold now: their `until` not passed, and their
 * worker's presence (`presences`: worker → until when) not run out. A lease
 * outlives a worker killed or cut off only until its presence runs out.
 */
export function holdingLeases(leases: ReadonlyMap<string, { workerId: string; until: Date }>, presences: ReadonlyMap<string, Date>, now: Date): Map<string, string> {
  const out = new Map<string, string>();
  for (const [botId, l] of leases) {
    const presence = presences.get(l.workerId);
    if (l.until >= now && presence && presence >= now) out.set(botId, l.workerId);
  }
  return out;
}

/** The worker holding each bot now. */
export async function leaseHolders(store: Store, now: Date): Promise<Map<string, string>> {
  const [leases, workers] = await Promise.all([lastLeases(store), store.models.Worker.find({ until: { $gte: now } }, { until: 1 }).lean()]);
  return holdingLeases(leases, new Map(workers.map((w) => [w._id, w.until])), now);
}
