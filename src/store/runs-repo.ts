import type { Store } from './connection.js';
import type { RunDoc } from './models/runs.js';
import { isDuplicateKey } from './once.js';

export type RunRecord = RunDoc;

export function runId(campaignId: string, scheduledAt: Date): string {
  return `${campaignId}@${scheduledAt.toISOString()}`;
}

/**
 * Create the run of a campaign's scheduled time; true only for the one caller
 * that created it (a unique insert: any number of schedulers, one run).
 */
export async function createRun(store: Store, campaignId: string, scheduledAt: Date, createdBy: string, now: Date): Promise<boolean> {
  try {
    await store.models.Run.create({ _id: runId(campaignId, scheduledAt), campaignId, scheduledAt, createdBy, createdAt: now });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function recordPlan(store: Store, id: string, planned: number, skipped: number, at: Date): Promise<void> {
  await store.models.Run.updateOne({ _id: id }, { $set: { planned, skipped, plannedAt: at } });
}

export async function listRuns(store: Store, campaignId: string, limit = 20): Promise<RunRecord[]> {
  return (await store.models.Run.find({ campaignId }).sort({ scheduledAt: -1 }).limit(limit).lean()) as RunRecord[];
}
