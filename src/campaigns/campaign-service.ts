import type { Store } from '../store/connection.js';
import { createCampaign, getCampaign, getVersion, insertVersion, listVersions, recordReview, updateCampaign, withdrawVersion, type CampaignRecord, type CampaignVersion } from '../store/campaigns-repo.js';
import { definitionHash, sealApproval, type ApprovalSubject } from '../shared/approval-seal.js';
import type { Signer } from '../shared/signing.js';
import { SYSTEM_ACTOR, type Actor } from '../shared/permissions.js';
import type { CampaignDefinition } from './campaign-schema.js';
import { decideTransition, type CampaignAction, type CampaignStatus } from './lifecycle.js';

/** A transition the rules refused (the campaign is not in a state that allows it); the message says why. */
export class CampaignRuleError extends Error {
  override readonly name = 'CampaignRuleError';
  readonly code = 'ZHIMI_E_CAMPAIGN_RULE';
}

/** The acting user may not do this (their roles or scope, or it is their own submission). */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
  readonly code = 'ZHIMI_E_FORBIDDEN';
}

/** A review named a version that is no longer the one under review; the message says what changed. */
export class StaleVersionError extends Error {
  override readonly name = 'StaleVersionError';
  readonly code = 'ZHIMI_E_STALE_VERSION';
}

/** The audience districts of a definition, as scope checks read them. */
export const districtsOf = (def: Pick<CampaignDefinition, 'audience'>): string[] => (def.audience.districts.length ? def.audience.districts : ['all']);

function refuse(d: { message: string; forbidden?: boolean }): never {
  throw d.forbidden ? new ForbiddenError(d.message) : new CampaignRuleError(d.message);
}

/**
 * Submit a new version of a campaign: the definition and the content hash of
 * every post it can send, frozen. Each submission is a new version; the
 * submitter is who its review must not come from.
 */
export async function submitVersion(
  store: Store,
  o: { definition: CampaignDefinition; posts: readonly { id: string; hash: string }[]; actor: Actor; now: Date; reason?: string | undefined; source?: string | undefined },
): Promise<{ record: CampaignRecord; version: CampaignVersion }> {
  const def = o.definition;
  if (!(await getCampaign(store, def.id))) {
    // a campaign the actor may not submit is never created, not even as an empty draft
    const d = decideTransition({ status: 'draft', districts: districtsOf(def) }, 'submit', o.actor);
    if (!d.ok) refuse(d);
    await createCampaign(store, { _id: def.id, name: def.name, districts: districtsOf(def), priority: def.priority });
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const rec = (await getCampaign(store, def.id))!;
    // the scope is checked against both the audience as it was and as submitted now
    const d = decideTransition({ status: rec.status as CampaignStatus, districts: [...new Set([...(rec.version ? rec.districts : []), ...districtsOf(def)])] }, 'submit', o.actor);
    if (!d.ok) refuse(d);
    const version: CampaignVersion = {
      _id: `${def.id}#${rec.version + 1}`, campaignId: def.id, version: rec.version + 1, definition: def as unknown as Record<string, unknown>, definitionHash: definitionHash(def),
      posts: [...o.posts], submittedBy: o.actor.id, submittedAt: o.now, ...(o.reason ? { reason: o.reason } : {}), ...(o.source ? { source: o.source } : {}),
    };
    if (!(await insertVersion(store, version))) continue; // another submission took that number: look again
    if (await updateCampaign(store, def.id, { status: rec.status, version: rec.version }, { status: d.to, version: version.version, submittedBy: o.actor.id, name: def.name, districts: districtsOf(def), priority: def.priority })) {
      return { record: (await getCampaign(store, def.id))!, version };
    }
    // the campaign changed meanwhile (the scheduler activated it, someone paused it): this version never was; look again
    await withdrawVersion(store, version);
  }
  throw new CampaignRuleError(`campaign ${def.id} is being submitted by someone else at the same moment; try again`);
}

/** A version's differences from another, as a reviewer reads them (`audience`, `schedule`, a post added or changed …). */
export function versionChanges(from: Pick<CampaignVersion, 'definition' | 'posts'>, to: Pick<CampaignVersion, 'definition' | 'posts'>): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(from.definition), ...Object.keys(to.definition)]);
  for (const k of [...keys].sort()) if (JSON.stringify(from.definition[k]) !== JSON.stringify(to.definition[k])) out.push(`${k}: ${JSON.stringify(from.definition[k] ?? null)} → ${JSON.stringify(to.definition[k] ?? null)}`);
  const before = new Map(from.posts.map((p) => [p.id, p.hash]));
  const after = new Map(to.posts.map((p) => [p.id, p.hash]));
  for (const [id, hash] of after) if (!before.has(id)) out.push(`post ${id} added`);
  else if (before.get(id) !== hash) out.push(`post ${id} changed`);
  for (const id of before.keys()) if (!after.has(id)) out.push(`post ${id} removed`);
  return out;
}

/** Who submitted the versions after the last approved one (the authors of what is under review). */
export async function authorsSinceApproval(store: Store, rec: Pick<CampaignRecord, '_id' | 'approvedVersion'>): Promise<string[]> {
  return [...new Set((await listVersions(store, rec._id)).filter((v) => v.version > (rec.approvedVersion ?? 0)).map((v) => v.submittedBy))];
}

/**
 * Approve or reject the version a reviewer saw. A version that is no longer
 * the one under review is refused with what changed; an approval is sealed
 * (`signer`: the API's key) over the version's definition and post hashes.
 */
export async function reviewVersion(
  store: Store,
  o: { id: string; version: number; actor: Actor; now: Date; approve: boolean; reason?: string | undefined; signer?: Signer | undefined },
): Promise<{ record: CampaignRecord; version: CampaignVersion }> {
  const rec = await getCampaign(store, o.id);
  if (!rec) throw new CampaignRuleError(`no campaign "${o.id}": submit it first`);
  if (rec.version !== o.version) {
    const seen = await getVersion(store, o.id, o.version);
    const current = (await getVersion(store, o.id, rec.version))!;
    const what = seen ? versionChanges(seen, current) : [];
    throw new StaleVersionError(`campaign ${o.id}: version ${o.version} is not the one under review: version ${rec.version} is${what.length ? ` (changed: ${what.join('; ')})` : ''}; review version ${rec.version}`);
  }
  const d = decideTransition({ status: rec.status as CampaignStatus, authors: await authorsSinceApproval(store, rec), districts: rec.districts }, o.approve ? 'approve' : 'reject', o.actor);
  if (!d.ok) refuse(d);
  const version = (await getVersion(store, o.id, o.version))!;
  if (o.approve) {
    if (!o.signer) throw new Error('approving needs the API\'s signing key');
    const subject: ApprovalSubject = { campaignId: o.id, version: o.version, definitionHash: version.definitionHash, posts: version.posts, approvedBy: o.actor.id, approvedAt: o.now };
    const seal = sealApproval(subject, o.signer);
    if (!(await recordReview(store, o.id, o.version, { approval: { by: o.actor.id, at: o.now, ...seal } }))) throw reviewedMeanwhile(o.id, o.version);
    if (!(await updateCampaign(store, o.id, { status: 'submitted', version: o.version }, { status: d.to, approvedVersion: o.version, approvedBy: o.actor.id }))) throw new StaleVersionError(`campaign ${o.id} changed while it was approved; look at it again`);
  } else {
    if (!(await recordReview(store, o.id, o.version, { rejection: { by: o.actor.id, at: o.now, reason: o.reason ?? '' } }))) throw reviewedMeanwhile(o.id, o.version);
    if (!(await updateCampaign(store, o.id, { status: 'submitted', version: o.version }, { status: d.to }))) throw new StaleVersionError(`campaign ${o.id} changed while it was rejected; look at it again`);
  }
  return { record: (await getCampaign(store, o.id))!, version: (await getVersion(store, o.id, o.version))! };
}

const reviewedMeanwhile = (id: string, version: number): StaleVersionError =>
  new StaleVersionError(`campaign ${id}: version ${version} was reviewed by someone else just now; look at it again`);

/**
 * Pause, resume, cancel or run now (a person), or activate or finish (the
 * scheduler: kept in the campaign's history). `run-now` asks the workers for
 * a one-off due time now (`runNowAt`).
 */
export async function changeState(store: Store, id: string, action: Exclude<CampaignAction, 'submit' | 'approve' | 'reject'>, actor: Actor, now: Date, reason?: string): Promise<CampaignRecord> {
  const rec = await getCampaign(store, id);
  if (!rec) throw new CampaignRuleError(`no campaign "${id}": submit it first`);
  const d = decideTransition({ status: rec.status as CampaignStatus, districts: rec.districts }, action, actor);
  if (!d.ok) refuse(d);
  const set = { status: d.to, ...(action === 'run-now' ? { runNowAt: now } : {}) };
  const event = actor === SYSTEM_ACTOR ? { at: now, action, from: rec.status, to: d.to, ...(reason ? { reason } : {}), version: rec.approvedVersion } : undefined;
  if (!(await updateCampaign(store, id, { status: rec.status }, set, event))) throw new CampaignRuleError(`campaign ${id} changed while ${action} was applied; try again`);
  return (await getCampaign(store, id))!;
}
