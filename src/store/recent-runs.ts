import type { Store } from './connection.js';
import type { RunDoc } from './models/runs.js';

/** Runs not closed, or closed since `since`, that were due by `now` (what the console shows as in progress). */
export async function recentRuns(store: Store, since: Date, now: Date): Promise<RunDoc[]> {
  const docs = (await store.models.Run.find({ $or: [{ closedAt: { $exists: false } }, { closedAt: { $gte: since } }] }).lean()) as RunDoc[];
  return docs.filter((r) => r.scheduledAt <= now);
}
