/**
 * Who may do what, as data (named grants bundled into roles, and a scope),
 * checked in one place: `can(actor, grant, target)`. The API and the CLI
 * call use cases that check it; the console only hides what they would
 * refuse anyway. Pure.
 */

export const ROLES = ['drafter', 'reviewer', 'publisher', 'analyst', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const GRANTS = [
  'campaigns:read', 'campaigns:draft', 'campaigns:review', 'campaigns:publish',
  'groups:read', 'groups:tag', 'groups:pause', 'groups:command',
  'reports:read', 'tips:read', 'fleet:read', 'fleet:operate',
  'scamcheck:use', 'users:manage', 'audit:read',
] as const;
export type Grant = (typeof GRANTS)[number];

/** What each role may do. `groups:command`: invite bots into groups and give them commands there (登记, 暂停, 恢复, 退出). */
export const ROLE_GRANTS: Record<Role, readonly Grant[]> = {
  drafter: ['campaigns:read', 'campaigns:draft', 'groups:read', 'groups:tag', 'groups:command', 'reports:read', 'scamcheck:use'],
  reviewer: ['campaigns:read', 'campaigns:review', 'groups:read', 'reports:read', 'scamcheck:use'],
  publisher: ['campaigns:read', 'campaigns:publish', 'groups:read', 'groups:pause', 'groups:command', 'reports:read', 'scamcheck:use'],
  analyst: ['campaigns:read', 'groups:read', 'reports:read', 'tips:read', 'fleet:read', 'scamcheck:use'],
  operator: ['fleet:read', 'fleet:operate', 'groups:read', 'groups:command', 'scamcheck:use'],
  admin: [...GRANTS],
};

/** The part of the city a user works for: the whole city, one district (分局), or one police station (派出所) of it. */
export type Scope = { kind: 'city' } | { kind: 'district'; district: string } | { kind: 'station'; district: string; station: string };

/** Who is acting: an authenticated user (by session or API token), or Zhimi itself. */
export interface Actor {
  id: string;
  name: string;
  roles: readonly Role[];
  scope: Scope;
  /** How the actor was authenticated (recorded in the audit): `password` for a request that carried the user's password itself. */
  via: 'session' | 'token' | 'password' | 'local' | 'system';
  /** When the API token acting ends (via `token`): a token it makes ends no later. */
  expiresAt?: Date;
}

/** Zhimi's own actions (the scheduler activating or finishing a campaign). */
export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'Zhimi', roles: [], scope: { kind: 'city' }, via: 'system' };

/** What an action touches, for the scope check: a place (a group's district and station), or an audience's districts. */
export type Target = { district?: string | undefined; station?: string | undefined } | { districts: readonly string[] };

export type Decision = { ok: true } | { ok: false; why: string };

export function grantsOf(actor: Pick<Actor, 'roles'>): Set<Grant> {
  return new Set(actor.roles.flatMap((r) => ROLE_GRANTS[r] ?? []));
}

/** May the actor use this grant (on this target, within their scope)? */
export function can(actor: Actor, grant: Grant, target?: Target): Decision {
  if (!grantsOf(actor).has(grant)) return { ok: false, why: `${actor.name} (${actor.roles.join(', ') || 'no role'}) may not ${GRANT_VERB[grant]}` };
  if (!target) return { ok: true };
  return inScope(actor.scope, target) ? { ok: true } : { ok: false, why: `${actor.name} works for ${scopeName(actor.scope)}: ${targetName(target)} is outside it` };
}

/** Is a target within a scope? An audience of every district (`all`) is within the city scope only. */
export function inScope(scope: Scope, target: Target): boolean {
  if (scope.kind === 'city') return true;
  if ('districts' in target) return target.districts.length > 0 && target.districts.every((d) => d === scope.district) && scope.kind === 'district';
  if (target.district !== scope.district) return false;
  return scope.kind === 'district' || target.station === scope.station;
}

/** Is one scope inside another (a district admin manages the users of their district, never a city-wide one)? */
export function scopeWithin(inner: Scope, outer: Scope): boolean {
  return inner.kind === 'city' ? outer.kind === 'city' : inScope(outer, { district: inner.district, ...(inner.kind === 'station' ? { station: inner.station } : {}) });
}

/** The scope as people say it: 全市, 鼓楼区, 鼓楼区温泉派出所. */
export function scopeName(scope: Scope): string {
  return scope.kind === 'city' ? '全市 (the whole city)' : scope.kind === 'district' ? scope.district : `${scope.district}${scope.station}`;
}

/** A scope from its short form: `city`, a district, or `<district>/<station>`. */
export function parseScope(text: string, known: { districts: readonly { name: string; stations: readonly string[] }[] }): Scope | string {
  if (text === 'city' || text === '全市') return { kind: 'city' };
  const [district, station] = text.split('/');
  const d = known.districts.find((x) => x.name === district);
  if (!d) return `unknown district "${district}": one of ${known.districts.map((x) => x.name).join('、')}, or city`;
  if (station === undefined) return { kind: 'district', district: d.name };
  if (!d.stations.includes(station)) return `unknown police station "${station}" in ${d.name}: one of ${d.stations.join('、')}`;
  return { kind: 'station', district: d.name, station };
}

const targetName = (t: Target): string =>
  'districts' in t ? `an audience of ${t.districts.includes('all') || t.districts.length === 0 ? 'every district' : t.districts.join('、')}` : `${t.district ?? 'an untagged group'}${t.station ?? ''}`;

const GRANT_VERB: Record<Grant, string> = {
  'campaigns:read': 'see campaigns',
  'campaigns:draft': 'write or submit campaigns',
  'campaigns:review': 'approve or reject campaigns',
  'campaigns:publish': 'pause, resume, cancel or run campaigns',
  'groups:read': 'see groups',
  'groups:tag': 'tag groups',
  'groups:pause': 'pause or resume groups',
  'groups:command': 'bring bots into groups or command them there',
  'reports:read': 'read reports',
  'tips:read': 'read the scam-check tips',
  'fleet:read': 'see the fleet',
  'fleet:operate': 'operate bots (QR login)',
  'scamcheck:use': 'use the scam check',
  'users:manage': 'manage users',
  'audit:read': 'read the audit log',
};
