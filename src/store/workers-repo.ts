import type { Store } from './connection.js';

/** A worker as the others see it. */
export interface WorkerRecord {
  workerId: string;
  /** Bots it runs (or is starting) now. */
  held: number;
  /** Bots that failed to start there lately. */
  failing: readonly string[];
}

/** Say this worker lives until `until`, with how many bots it runs and which failed to start here lately. */
export async function announceWorker(store: Store, p: WorkerRecord & { until: Date; now: Date }): Promise<void> {
  await store.models.Worker.updateOne(
    { _id: p.workerId },
    { $set: { held: p.held, failing: [...p.failing], until: p.until }, $setOnInsert: { startedAt: p.now } },
    { upsert: true },
  );
}

/** Workers alive now (their presence not run out), in the order they started. */
export async function liveWorkers(store: Store, now: Date): Promise<(WorkerRecord & { startedAt: Date })[]> {
  const docs = await store.models.Worker.find({ until: { $gte: now } }).lean();
  return docs
    .map((d) => ({ workerId: d._id, held: d.held, failing: d.failing ?? [], startedAt: d.startedAt }))
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.workerId.localeCompare(b.workerId));
}

/** A worker stopping cleanly leaves at once (the others share its bots out without waiting for it to run out). */
export async function retireWorker(store: Store, workerId: string): Promise<void> {
  await store.models.Worker.deleteOne({ _id: workerId });
}

/** Forget workers gone for longer than a day (dead ones leave their document behind). */
export async function forgetGoneWorkers(store: Store, now: Date): Promise<void> {
  await store.models.Worker.deleteMany({ until: { $lt: new Date(now.getTime() - 86_400_000) } });
}
