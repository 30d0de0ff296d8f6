import type { Store } from './connection.js';

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

/** Workers alive now (their presence not run out), in the order they started. */
export async function liveWorkers(store: Store, now: Date): Promise<(WorkerRecord & WorkerBeat & { startedAt: Date })[]> {
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

/** Forget workers gone for longer than a day (dead ones leave their document behind). */
export async function forgetGoneWorkers(store: Store, now: Date): Promise<void> {
  await store.models.Worker.deleteMany({ until: { $lt: new Date(now.getTime() - 86_400_000) } });
}
