import type { Store } from './connection.js';
import type { CampaignDoc, CampaignEvent, CampaignVersionDoc } from './models/campaigns.js';
import { insertOnce } from './once.js';
import { bumpVersion, readVersion } from './versions.js';

export type { CampaignEvent, CampaignVersionDoc, VersionPost } from './models/campaigns.js';

/** A campaign record as plain data. */
export type CampaignRecord = CampaignDoc;
export type CampaignVersion = CampaignVersionDoc;

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

/** The campaigns' version: it changes whenever a campaign's state does (approval, pause, cancel, run now …); schedulers look at it every second. */
export const campaignsVersion = (store: Store): Promise<string> => readVersion(store, 'campaigns');

/** A campaign's first record (status `draft`, no version yet); false when it exists. */
export function createCampaign(store: Store, doc: Pick<CampaignRecord, '_id' | 'name' | 'districts' | 'priority'>): Promise<boolean> {
  return insertOnce(store.models.Campaign, { ...doc, version: 0, status: 'draft', history: [], createdAt: new Date(), updatedAt: new Date() });
}

/**
 * Change a campaign's record if it is still in `from` status (and at
 * `version`, when given); false when it changed meanwhile. `event` (a step
 * of the scheduler's own) is kept in its history.
 */
export async function updateCampaign(
  store: Store,
  id: string,
  from: { status: string; version?: number },
  set: Partial<Omit<CampaignRecord, '_id' | 'history'>>,
  event?: CampaignEvent,
): Promise<boolean> {
  const res = await store.models.Campaign.updateOne(
    { _id: id, status: from.status, ...(from.version !== undefined ? { version: from.version } : {}) },
    { $set: { ...set, updatedAt: new Date() }, ...(event ? { $push: { history: event } } : {}) },
  );
  if (res.modifiedCount !== 1) return false;
  await bumpVersion(store, 'campaigns');
  return true;
}

/** Insert a submitted version; false when that version number is taken (another submission came first). */
export function insertVersion(store: Store, doc: CampaignVersion): Promise<boolean> {
  return insertOnce(store.models.CampaignVersion, doc);
}

/** Take back a version just inserted whose campaign changed under it (it was never the campaign's version). */
export async function withdrawVersion(store: Store, doc: Pick<CampaignVersion, '_id'>): Promise<void> {
  await store.models.CampaignVersion.deleteOne({ _id: doc._id, approval: { $exists: false }, rejection: { $exists: false } });
}

export async function getVersion(store: Store, campaignId: string, version: number): Promise<CampaignVersion | undefined> {
  return ((await store.models.CampaignVersion.findById(`${campaignId}#${version}`).lean()) as CampaignVersion | null) ?? undefined;
}

/** A campaign's versions, newest first. */
export async function listVersions(store: Store, campaignId: string): Promise<CampaignVersion[]> {
  return (await store.models.CampaignVersion.find({ campaignId }).sort({ version: -1 }).lean()) as CampaignVersion[];
}

/** Record a version's review (its approval seal, or its rejection). */
/** Record a version's review; false when it has one already (two reviewers at once: the first stands). */
export async function recordReview(store: Store, campaignId: string, version: number, review: Pick<CampaignVersion, 'approval'> | Pick<CampaignVersion, 'rejection'>): Promise<boolean> {
  const r = await store.models.CampaignVersion.updateOne({ _id: `${campaignId}#${version}`, approval: { $exists: false }, rejection: { $exists: false } }, { $set: review });
  return r.modifiedCount === 1;
}

/** Keep a draft with a campaign (made as a draft record when new); the status and versions stay as they are. */
export async function saveDraft(store: Store, id: string, fresh: Pick<CampaignRecord, 'name' | 'districts' | 'priority'>, draft: NonNullable<CampaignRecord['draft']>): Promise<void> {
  await createCampaign(store, { _id: id, ...fresh });
  await store.models.Campaign.updateOne({ _id: id }, { $set: { draft, updatedAt: new Date() } });
}

/** Forget a campaign's draft (it was submitted). */
export async function clearDraft(store: Store, id: string): Promise<void> {
  await store.models.Campaign.updateOne({ _id: id }, { $unset: { draft: 1 } });
}
