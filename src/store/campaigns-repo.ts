import type { Store } from './connection.js';
import type { AuditEntry, CampaignDoc } from './models/campaigns.js';

export type { AuditEntry } from './models/campaigns.js';

/** A campaign record as plain data. */
export type CampaignRecord = CampaignDoc;

export async function getCampaign(store: Store, id: string): Promise<CampaignRecord | undefined> {
  const doc = await store.models.Campaign.findById(id).lean();
  return (doc as CampaignRecord | null) ?? undefined;
}

export async function listCampaigns(store: Store, status?: string[]): Promise<CampaignRecord[]> {
  const docs = await store.models.Campaign.find(status ? { status: { $in: status } } : {}).sort({ _id: 1 }).lean();
  return docs as CampaignRecord[];
}

/** Campaigns that are paused or cancelled, by id (their posts not yet sent are held or skipped). */
export async function stoppedCampaigns(store: Store): Promise<Map<string, 'paused' | 'cancelled'>> {
  const docs = await store.models.Campaign.find({ status: { $in: ['paused', 'cancelled'] } }, { status: 1 }).lean();
  return new Map(docs.map((d) => [String(d._id), d.status as 'paused' | 'cancelled']));
}

export async function createCampaign(store: Store, doc: Omit<CampaignRecord, 'audit' | 'version'>, entry: AuditEntry): Promise<void> {
  await store.models.Campaign.create({ ...doc, version: 1, audit: [entry] });
}

/**
 * Move a campaign from `from` to the entry's `to` status, with the audit entry
 * and any field changes. Conditional on the current status, so a stale
 * decision does nothing (returns false).
 */
export async function recordTransition(
  store: Store,
  id: string,
  from: string,
  entry: AuditEntry,
  set: Partial<Pick<CampaignRecord, 'author' | 'approvedBy' | 'approvedHash' | 'definition' | 'contentHash' | 'name'>> = {},
  bumpVersion = false,
): Promise<boolean> {
  const res = await store.models.Campaign.updateOne(
    { _id: id, status: from },
    { $set: { ...set, status: entry.to }, $push: { audit: entry }, ...(bumpVersion ? { $inc: { version: 1 } } : {}) },
  );
  return res.modifiedCount === 1;
}
