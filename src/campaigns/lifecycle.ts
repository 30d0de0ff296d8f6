import { can, type Actor } from '../shared/permissions.js';

/** Campaign lifecycle: draft → submitted → approved → active ⇄ paused → finished | cancelled (a rejected version goes back to draft). */
export const CAMPAIGN_STATUSES = ['draft', 'submitted', 'approved', 'active', 'paused', 'finished', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export type CampaignAction = 'submit' | 'approve' | 'reject' | 'activate' | 'pause' | 'resume' | 'run-now' | 'finish' | 'cancel';

const FROM: Record<CampaignAction, readonly CampaignStatus[]> = {
  submit: ['draft', 'submitted', 'approved', 'active', 'paused', 'finished', 'cancelled'],
  approve: ['submitted'],
  reject: ['submitted'],
  activate: ['approved'],
  pause: ['approved', 'active'],
  resume: ['paused'],
  'run-now': ['approved', 'active'],
  finish: ['approved', 'active', 'paused'],
  cancel: ['draft', 'submitted', 'approved', 'active', 'paused'],
};

const TO: Record<CampaignAction, CampaignStatus | 'same'> = {
  submit: 'submitted',
  approve: 'approved',
  reject: 'draft',
  activate: 'active',
  pause: 'paused',
  resume: 'active',
  'run-now': 'same',
  finish: 'finished',
  cancel: 'cancelled',
};

/** The scheduler's own steps: no person takes them. */
const SYSTEM_ACTIONS: readonly CampaignAction[] = ['activate', 'finish'];

/**
 * Decide a transition; pure. Drafters submit (a new version each time);
 * reviewers approve or reject a version someone else wrote — never one
 * they submitted any version of since the last approval, however the
 * submissions were arranged; publishers pause, resume,
 * cancel and run now; activate and finish are the scheduler's. Each
 * person's action must also fit their scope (the campaign's districts).
 */
export function decideTransition(
  current: {
    status: CampaignStatus;
    /** Who submitted the versions under review: every version since the last approved one (a reviewer who wrote any of them is an author). */
    authors?: readonly string[] | undefined;
    districts: readonly string[];
  },
  action: CampaignAction,
  actor: Actor,
): { ok: true; to: CampaignStatus } | { ok: false; message: string; forbidden?: boolean } {
  if (!FROM[action].includes(current.status)) {
    return { ok: false, message: `cannot ${action} a campaign that is ${current.status} (allowed from: ${FROM[action].join(', ')})` };
  }
  const to = TO[action] === 'same' ? current.status : (TO[action] as CampaignStatus);
  if (actor.via === 'system') return SYSTEM_ACTIONS.includes(action) ? { ok: true, to } : { ok: false, message: `${action} is a person's action, not the scheduler's`, forbidden: true };
  if (SYSTEM_ACTIONS.includes(action)) return { ok: false, message: `${action} is done by the scheduler, not by a user`, forbidden: true };
  const grant = action === 'submit' ? 'campaigns:draft' : action === 'approve' || action === 'reject' ? 'campaigns:review' : 'campaigns:publish';
  const d = can(actor, grant, { districts: current.districts });
  if (!d.ok) return { ok: false, message: d.why, forbidden: true };
  if ((action === 'approve' || action === 'reject') && current.authors?.includes(actor.id)) {
    return { ok: false, message: `${actor.name} submitted a version under review since the last approval: its review must come from someone else`, forbidden: true };
  }
  return { ok: true, to };
}
