import type { Store } from './connection.js';
import type { RunDoc } from './models/runs.js';
import { insertOnce, insertUnique } from './once.js';

export type RunRecord = RunDoc;

export function runId(campaignId: string, scheduledAt: Date): string {
  return `${campaignId}@${scheduledAt.toISOString()}`;
}

/**
 * Create the run of a campaign's scheduled time; true only for the one caller
 * that created it (a unique insert: any number of schedulers, one run).
 */
export async function createRun(store: Store, campaignId: string, scheduledAt: Date, createdBy: string, now: Date, contentHash?: string): Promise<boolean> {
  const id = runId(campaignId, scheduledAt);
  const created = await insertOnce(store.models.Run, { _id: id, campaignId, scheduledAt, createdBy, createdAt: now, ...(contentHash ? { contentHash } : {}) });
  knownRuns(store).add(id);
  return created;
}

/** Runs this process knows exist (it created them or made sure of them): no insert is tried again for them. */
const known = new WeakMap<Store, Set<string>>();
function knownRuns(store: Store): Set<string> {
  let set = known.get(store);
  if (!set) known.set(store, (set = new Set()));
  return set;
}

/** The run is planned: its counts, and how long its posts wait for a bot of their group when none is online (the campaign's setting). */
export async function recordPlan(store: Store, id: string, planned: number, skipped: number, at: Date, waitForBotMs?: number): Promise<void> {
  await store.models.Run.updateOne({ _id: id }, { $set: { planned, skipped, plannedAt: at, ...(waitForBotMs !== undefined ? { waitForBotMs } : {}) } });
}

export async function listRuns(store: Store, campaignId: string, limit = 20): Promise<RunRecord[]> {
  return (await store.models.Run.find({ campaignId }).sort({ scheduledAt: -1 }).limit(limit).lean()) as RunRecord[];
}

/**
 * Runs a scheduler created before `before` whose planning never finished:
 * their planner stopped part-way (a worker crash while it wrote the outbox).
 */
export async function unplannedRuns(store: Store, before: Date): Promise<RunRecord[]> {
  return (await store.models.Run.find({ plannedAt: { $exists: false }, closedAt: { $exists: false }, createdBy: { $ne: 'outbox' }, createdAt: { $lt: before } }).lean()) as RunRecord[];
}

/** Runs not closed yet: the ones whose deliveries a sweep reads. */
export async function openRuns(store: Store): Promise<{ id: string; planned: boolean; waitForBotMs?: number | undefined }[]> {
  const docs = await store.models.Run.find({ closedAt: { $exists: false } }, { _id: 1, plannedAt: 1, waitForBotMs: 1 }).lean();
  return docs.map((d) => ({ id: d._id, planned: d.plannedAt !== undefined, waitForBotMs: d.waitForBotMs ?? undefined }));
}

/** Close runs whose deliveries are all final. */
export async function closeRuns(store: Store, ids: readonly string[], at: Date): Promise<void> {
  for (const id of ids) await store.models.Run.updateOne({ _id: id, closedAt: { $exists: false } }, { $set: { closedAt: at } });
}

/**
 * Make sure a run document exists for deliveries written outside the
 * scheduler (tools, tests): every delivery belongs to a run, and open runs are
 * what workers sweep. A run the scheduler created is left as it is.
 */
export async function ensureRuns(store: Store, runs: readonly { id: string; campaignId: string; at: Date }[], now: Date): Promise<void> {
  const seen = knownRuns(store);
  const unknown = runs.filter((r) => !seen.has(r.id));
  await insertUnique(store.models.Run, unknown.map((r) => ({ _id: r.id, campaignId: r.campaignId, scheduledAt: r.at, createdBy: 'outbox', createdAt: now })));
  for (const r of unknown) seen.add(r.id);
}
