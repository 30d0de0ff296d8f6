import type { FleetConfig } from '../config/bots.js';
import { ConfigError } from '../config/errors.js';
import type { Store } from '../store/connection.js';
import { createCampaign, getCampaign, recordTransition, type CampaignRecord } from '../store/campaigns-repo.js';
import type { CampaignFile } from './campaign-files.js';
import { decideTransition, type Actor, type CampaignAction, type CampaignStatus } from './lifecycle.js';

/** A transition the rules refused; the message says why. */
export class CampaignRuleError extends Error {
  override readonly name = 'CampaignRuleError';
  readonly code = 'ZHIMI_E_CAMPAIGN_RULE';
}

/** Users are the officers of bots/fleet.yaml, with their roles. */
export function actorOf(fleet: Pick<FleetConfig, 'officers'>, userId: string): Actor {
  const o = fleet.officers.find((x) => x.id === userId);
  if (!o) {
    throw new ConfigError([{ file: 'bots/fleet.yaml', field: 'officers', message: `unknown user "${userId}": users are the officers listed here (${fleet.officers.map((x) => x.id).join(', ')})` }]);
  }
  return { id: o.id, role: o.role };
}

export const SYSTEM: Actor = { id: 'system', role: 'system' };

/**
 * Submit a campaign file for approval. The submitter becomes the author. A
 * campaign that was approved and whose file changed goes back to submitted
 * first (with the reason in the audit trail).
 */
export async function submitCampaign(store: Store, cf: CampaignFile, actor: Actor, now: Date, reason?: string): Promise<CampaignRecord> {
  let rec = await getCampaign(store, cf.def.id);
  if (!rec) {
    await createCampaign(
      store,
      { _id: cf.def.id, name: cf.def.name, definition: cf.def as unknown as Record<string, unknown>, contentHash: cf.hash, status: 'draft', author: actor.id },
      { at: now, by: actor.id, action: 'create', from: '', to: 'draft', contentHash: cf.hash },
    );
    rec = (await getCampaign(store, cf.def.id))!;
  } else {
    rec = await syncWithFile(store, cf, now);
  }
  return transition(store, rec._id, 'submit', actor, now, reason, {
    author: actor.id,
    definition: cf.def as unknown as Record<string, unknown>,
    contentHash: cf.hash,
    name: cf.def.name,
  });
}

/**
 * Compare the file with what was approved: an edit after approval sends the
 * campaign back to submitted. Returns the (possibly updated) record.
 */
export async function syncWithFile(store: Store, cf: CampaignFile, now: Date): Promise<CampaignRecord> {
  const rec = await getCampaign(store, cf.def.id);
  if (!rec) throw new CampaignRuleError(`campaign ${cf.def.id} is not in the database: submit it first (zhimi campaign submit ${cf.file} --as <user>)`);
  const watched: CampaignStatus[] = ['approved', 'active', 'paused'];
  if (rec.approvedHash && rec.approvedHash !== cf.hash && watched.includes(rec.status as CampaignStatus)) {
    await recordTransition(
      store,
      rec._id,
      rec.status,
      { at: now, by: 'system', action: 'changed', from: rec.status, to: 'submitted', reason: `${cf.file} changed after approval`, contentHash: cf.hash },
      { definition: cf.def as unknown as Record<string, unknown>, contentHash: cf.hash },
      true,
    );
    return (await getCampaign(store, cf.def.id))!;
  }
  return rec;
}

/** Apply a lifecycle action for a user (or the system), with the audit entry. */
export async function transition(
  store: Store,
  id: string,
  action: CampaignAction,
  actor: Actor,
  now: Date,
  reason?: string,
  set: Parameters<typeof recordTransition>[4] = {},
): Promise<CampaignRecord> {
  const rec = await getCampaign(store, id);
  if (!rec) throw new CampaignRuleError(`no campaign "${id}": submit its file first`);
  const d = decideTransition({ status: rec.status as CampaignStatus, author: rec.author }, action, actor);
  if (!d.ok) throw new CampaignRuleError(`campaign ${id}: ${d.message}`);
  const extra = action === 'approve' ? { approvedBy: actor.id, approvedHash: rec.contentHash } : {};
  const done = await recordTransition(
    store,
    id,
    rec.status,
    { at: now, by: actor.id, action, from: rec.status, to: d.to, ...(reason ? { reason } : {}), contentHash: set.contentHash ?? rec.contentHash },
    { ...set, ...extra },
  );
  if (!done) throw new CampaignRuleError(`campaign ${id} changed while ${action} was applied; try again`);
  return (await getCampaign(store, id))!;
}
