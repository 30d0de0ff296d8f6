import type { Store } from './connection.js';
import { insertClaim } from './once.js';

/** A worker as the others see it. */
export interface WorkerRecord {
  workerId: string;
  /** Bots it runs (or is starting) now. */
  held: number;
  /** Bots that failed to start there lately. */
  failing: readonly string[];
}

/** When a worker last said it lives, and how often it says so. */
export interface WorkerBeat {
  /** Its last renewal. */
  renewedAt?: Date | undefined;
  /** Its tick: it renews this often. */
  everyMs?: number | undefined;
}

/** Say this worker lives until `until`, with how many bots it runs and which failed to start here lately. */
export async function announceWorker(store: Store, p: WorkerRecord & { until: Date; now: Date; everyMs?: number }): Promise<void> {
  await store.models.Worker.updateOne(
    { _id: p.workerId },
    { $set: { held: p.held, failing: [...p.failing], until: p.until, renewedAt: p.now, ...(p.everyMs ? { everyMs: p.everyMs } : {}) }, $setOnInsert: { startedAt: p.now } },
    { upsert: true },
  );
}

/** A worker's presence: until when it holds its bots' leases, when it last said so, and its generation. */
export interface Presence {
  until: Date;
  renewedAt?: Date | undefined;
  gen: number;
}

/** One worker's presence (a read of one document by its `_id`), undefined when it has none (retired, or forgotten). */
export async function presenceOf(store: Store, workerId: string): Promise<Presence | undefined> {
  const d = await store.models.Worker.findOne({ _id: workerId }, { until: 1, renewedAt: 1, gen: 1 }).lean();
  return d ? { until: d.until, renewedAt: d.renewedAt ?? undefined, gen: d.gen ?? 0 } : undefined;
}

const fenceId = (workerId: string, gen: number): string => `fence:${workerId}#${gen}`;

/**
 * Renew this worker's presence, and with it the leases of every bot it runs
 * (one document, where renewing each lease rewrote 200 on FerretDB every two
 * seconds). False when another worker fenced this generation off meanwhile:
 * the presence had run out and its bots may have been taken over, so none of
 * its leases is trusted any more. The write comes before the look for a
 * fence, and a worker taking over fences before it looks again (see
 * `holderGone` in leases-repo.ts): one of the two always sees the other.
 */
export async function renewPresence(store: Store, p: { workerId: string; gen: number; until: Date; now: Date }): Promise<boolean> {
  await store.models.Worker.updateOne(
    { _id: p.workerId },
    { $set: { until: p.until, renewedAt: p.now, gen: p.gen }, $setOnInsert: { held: 0, failing: [], startedAt: p.now } },
    { upsert: true },
  );
  return !(await store.models.Claim.exists({ _id: fenceId(p.workerId, p.gen) }));
}

/** Fence off a worker's generation whose presence ran out (see `renewPresence`); a worker fenced already stays so. */
export async function fenceWorker(store: Store, workerId: string, gen: number, by: string, now: Date): Promise<void> {
  await insertClaim(store, fenceId(workerId, gen), workerId, by, now);
}

/** Workers alive now (their presence not run out), in the order they started. */
export async function liveWorkers(store: Store, now: Date): Promise<(WorkerRecord & WorkerBeat & { startedAt: Date; until: Date })[]> {
  return recentWorkers(store, now, 0);
}

/** Workers whose presence ran out at most `withinMs` ago (or not yet), in the order they started. */
export async function recentWorkers(store: Store, now: Date, withinMs: number): Promise<(WorkerRecord & WorkerBeat & { startedAt: Date; until: Date })[]> {
  const docs = await store.models.Worker.find({ until: { $gte: new Date(now.getTime() - withinMs) } }).lean();
  return docs
    .map((d) => ({ workerId: d._id, held: d.held, failing: d.failing ?? [], startedAt: d.startedAt, until: d.until, renewedAt: d.renewedAt ?? undefined, everyMs: d.everyMs ?? undefined }))
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.workerId.localeCompare(b.workerId));
}

/**
 * Is a worker late: not heard from for more than two of its ticks and a
 * second? It was killed, paused or cut off; its bots' state is unknown until
 * it renews or its leases run out and another worker takes them over.
 */
export function isLate(w: WorkerBeat & { until: Date }, now: Date): boolean {
  if (!w.renewedAt || !w.everyMs) return w.until < now;
  return now.getTime() - w.renewedAt.getTime() > 2 * w.everyMs + 1000;
}

/** A worker stopping cleanly leaves at once (the others share its bots out without waiting for it to run out). */
export async function retireWorker(store: Store, workerId: string): Promise<void> {
  await store.models.Worker.deleteOne({ _id: workerId });
}

/** Forget workers gone for longer than a day (dead ones leave their document behind), and fences older than that. */
export async function forgetGoneWorkers(store: Store, now: Date): Promise<void> {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  await store.models.Worker.deleteMany({ until: { $lt: dayAgo } });
  await store.models.Claim.deleteMany({ _id: { $regex: '^fence:' }, at: { $lt: dayAgo } });
}
