/** Campaign lifecycle: draft → submitted → approved → active ⇄ paused → finished | cancelled. */
export const CAMPAIGN_STATUSES = ['draft', 'submitted', 'approved', 'active', 'paused', 'finished', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export type Role = 'officer' | 'approver' | 'admin';
export type CampaignAction = 'submit' | 'approve' | 'activate' | 'pause' | 'resume' | 'finish' | 'cancel' | 'changed';

export interface Actor {
  id: string;
  role: Role | 'system';
}

const FROM: Record<CampaignAction, readonly CampaignStatus[]> = {
  submit: ['draft', 'submitted'],
  approve: ['submitted'],
  activate: ['approved'],
  pause: ['approved', 'active'],
  resume: ['paused'],
  finish: ['approved', 'active', 'paused'],
  cancel: ['draft', 'submitted', 'approved', 'active', 'paused'],
  changed: ['approved', 'active', 'paused'],
};

const TO: Record<CampaignAction, CampaignStatus> = {
  submit: 'submitted',
  approve: 'approved',
  activate: 'active',
  pause: 'paused',
  resume: 'active',
  finish: 'finished',
  cancel: 'cancelled',
  changed: 'submitted',
};

/**
 * Decide a transition; pure. Approval needs an approver or admin who is not
 * the author; pause, resume and cancel need the author, an approver or an
 * admin; activate, finish and "changed" are the system's.
 */
export function decideTransition(
  current: { status: CampaignStatus; author?: string | undefined },
  action: CampaignAction,
  actor: Actor,
): { ok: true; to: CampaignStatus } | { ok: false; message: string } {
  if (!FROM[action].includes(current.status)) {
    return { ok: false, message: `cannot ${action} a campaign that is ${current.status} (allowed from: ${FROM[action].join(', ')})` };
  }
  const system = actor.role === 'system';
  if ((action === 'activate' || action === 'finish' || action === 'changed') && !system) {
    return { ok: false, message: `${action} is done by the scheduler, not by a user` };
  }
  if (action === 'approve') {
    if (actor.role !== 'approver' && actor.role !== 'admin') return { ok: false, message: `${actor.id} is ${actor.role}: only an approver or admin can approve` };
    if (actor.id === current.author) return { ok: false, message: `${actor.id} wrote this campaign: approval must come from someone else` };
  }
  if ((action === 'pause' || action === 'resume' || action === 'cancel') && !system) {
    if (actor.role === 'officer' && actor.id !== current.author) return { ok: false, message: `${actor.id} is an officer but not the author: only the author, an approver or an admin can ${action}` };
  }
  return { ok: true, to: TO[action] };
}
