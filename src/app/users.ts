import { randomBytes } from 'node:crypto';
import { ConfigError } from '../config/errors.js';
import { createMemberKeyer } from '../audience/member-key.js';
import { createUser, deleteSessionsOf, revokeTokensOf, forgetAuthFailures, getUser, listUsers as listStored, updateUser, type UserRecord } from '../store/users-repo.js';
import { parseScope, ROLES, scopeName, scopeWithin, type Actor, type Role, type Scope } from '../shared/permissions.js';
import { newTotpSecret, otpauthUri } from '../shared/totp.js';
import type { AppContext } from './context.js';
import { AppError, forbidden, requireGrant } from './errors.js';
import { record } from './audit.js';
import { checkPassword, hashPassword, scopeOf } from './auth.js';

/**
 * Users and what they may do: added, changed, disabled by admins (the first
 * admin from the server machine: `zhimi users add`). Officers' WeChat ids
 * are bound to their user as keyed hashes (invitations and in-group
 * commands); every change is audited.
 */

/** Who acts from the server machine (`zhimi users …`, with the database's own credentials). */
export const LOCAL_OPERATOR: Actor = { id: 'local-operator', name: 'the server\'s operator', roles: ['admin'], scope: { kind: 'city' }, via: 'local' };

export interface UserView {
  id: string;
  name: string;
  roles: string[];
  scope: string;
  totp: boolean;
  wechatIds: number;
  disabled: boolean;
  lastSignInAt?: Date | undefined;
}

const view = (u: UserRecord): UserView => ({ id: u._id, name: u.name, roles: u.roles, scope: scopeName(scopeOf(u)), totp: !!u.totpSecret, wechatIds: u.wechatKeys.length, disabled: u.disabled, lastSignInAt: u.lastSignInAt });

/** Users are managed by admins, each only for users within their own scope (before and after the change). */
function mayManage(actor: Actor, ...scopes: Scope[]): void {
  requireGrant(actor, 'users:manage');
  const outside = scopes.find((s) => !scopeWithin(s, actor.scope));
  if (outside) throw forbidden(`${actor.name} manages users of ${scopeName(actor.scope)} only: ${scopeName(outside)} is outside it`);
}

function rolesOf(roles: readonly string[]): Role[] {
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (bad.length || roles.length === 0) throw new ConfigError([{ file: 'request', field: 'roles', message: `must be one or more of ${ROLES.join(', ')}${bad.length ? ` (got ${bad.join(', ')})` : ''}` }]);
  return [...new Set(roles)] as Role[];
}

function scopeFrom(ctx: AppContext, text: string | undefined): Scope {
  const s = parseScope(text ?? 'city', ctx.content().ref);
  if (typeof s === 'string') throw new ConfigError([{ file: 'request', field: 'scope', message: s }]);
  return s;
}

const storedScope = (s: Scope): UserRecord['scope'] => (s.kind === 'city' ? {} : s.kind === 'district' ? { district: s.district } : { district: s.district, station: s.station });

export interface NewUserInput {
  id: string;
  name: string;
  roles: readonly string[];
  /** `city`, a district, or `<district>/<station>`. */
  scope?: string | undefined;
  /** Chosen by the admin, or made here and shown once. */
  password?: string | undefined;
  /** The officer's WeChat ids (stored as keyed hashes only). */
  wechatIds?: readonly string[] | undefined;
}

/** Add a user; returns the password when it was made here (shown once). */
export async function addUser(ctx: AppContext, actor: Actor, input: NewUserInput): Promise<{ user: UserView; password?: string }> {
  const scope = scopeFrom(ctx, input.scope);
  mayManage(actor, scope);
  if (!/^[a-z][a-z0-9._-]{1,31}$/.test(input.id)) throw new ConfigError([{ file: 'request', field: 'id', message: 'must be 2–32 lower-case letters, digits, dots, dashes or underscores, starting with a letter (e.g. wang.li)' }]);
  const password = input.password ?? randomBytes(12).toString('base64url');
  const weak = checkPassword(password, input.id);
  if (weak) throw new ConfigError([{ file: 'request', field: 'password', message: weak }]);
  const now = ctx.clock.now();
  const keyer = createMemberKeyer(ctx.env.memberKey);
  const user: UserRecord = {
    _id: input.id, name: input.name, roles: rolesOf(input.roles), scope: storedScope(scope), passwordHash: await hashPassword(password),
    wechatKeys: (input.wechatIds ?? []).map(keyer), disabled: false, createdAt: now, updatedAt: now,
  };
  if (!(await createUser(await ctx.store(), user))) throw new AppError('ZHIMI_E_INVALID', `a user "${input.id}" exists already`);
  await record(ctx, actor, 'user.add', { kind: 'user', id: user._id }, { details: { roles: user.roles, scope: scopeName(scopeOf(user)), wechatIds: user.wechatKeys.length } });
  return { user: view(user), ...(input.password ? {} : { password }) };
}

export async function listUsers(ctx: AppContext, actor: Actor): Promise<UserView[]> {
  mayManage(actor);
  return (await listStored(await ctx.store())).filter((u) => scopeWithin(scopeOf(u), actor.scope)).map(view);
}

async function existing(ctx: AppContext, id: string): Promise<UserRecord> {
  const u = await getUser(await ctx.store(), id);
  if (!u) throw new AppError('ZHIMI_E_NOT_FOUND', `no user "${id}": see \`zhimi users list\``);
  return u;
}

export interface UserChange {
  name?: string | undefined;
  roles?: readonly string[] | undefined;
  scope?: string | undefined;
  /** Replace the bound WeChat ids. */
  wechatIds?: readonly string[] | undefined;
  disabled?: boolean | undefined;
}

/** Change a user's name, roles, scope, WeChat ids, or disable (enable) them; disabling ends their sessions. */
export async function changeUser(ctx: AppContext, actor: Actor, id: string, change: UserChange): Promise<UserView> {
  const u = await existing(ctx, id);
  const scope = change.scope ? scopeFrom(ctx, change.scope) : undefined;
  mayManage(actor, scopeOf(u), ...(scope ? [scope] : []));
  if (change.disabled && id === actor.id) throw forbidden('an admin cannot disable themselves');
  const set: Partial<UserRecord> = {};
  if (change.name) set.name = change.name;
  if (change.roles) set.roles = rolesOf(change.roles);
  if (scope) set.scope = storedScope(scope);
  if (change.wechatIds) set.wechatKeys = change.wechatIds.map(createMemberKeyer(ctx.env.memberKey));
  if (change.disabled !== undefined) set.disabled = change.disabled;
  const store = await ctx.store();
  await updateUser(store, id, set);
  if (change.disabled) await deleteSessionsOf(store, id);
  await record(ctx, actor, change.disabled ? 'user.disable' : 'user.change', { kind: 'user', id }, { details: { ...(set.roles ? { roles: set.roles } : {}), ...(change.scope ? { scope: change.scope } : {}), ...(set.wechatKeys ? { wechatIds: set.wechatKeys.length } : {}), ...(change.disabled !== undefined ? { disabled: change.disabled } : {}) } });
  return view({ ...u, ...set });
}

/** A new password (chosen, or made here and shown once); ends the user's sessions and lock-out. */
export async function resetPassword(ctx: AppContext, actor: Actor, id: string, password?: string): Promise<{ password?: string }> {
  mayManage(actor, scopeOf(await existing(ctx, id)));
  const pw = password ?? randomBytes(12).toString('base64url');
  const weak = checkPassword(pw, id);
  if (weak) throw new ConfigError([{ file: 'request', field: 'password', message: weak }]);
  const store = await ctx.store();
  await updateUser(store, id, { passwordHash: await hashPassword(pw) });
  // whoever may have learnt the old password loses what it gave: sessions and API tokens
  await deleteSessionsOf(store, id);
  await revokeTokensOf(store, id, ctx.clock.now());
  await forgetAuthFailures(store, id);
  await record(ctx, actor, 'user.reset-password', { kind: 'user', id });
  return password ? {} : { password: pw };
}

/** Enroll (or renew) a user's TOTP: returns the otpauth URI their authenticator app scans (shown once). */
export async function enrollTotp(ctx: AppContext, actor: Actor, id: string): Promise<{ uri: string; secret: string }> {
  mayManage(actor, scopeOf(await existing(ctx, id)));
  const secret = newTotpSecret();
  await updateUser(await ctx.store(), id, { totpSecret: secret, totpLastStep: -1 });
  await record(ctx, actor, 'user.totp', { kind: 'user', id });
  return { uri: otpauthUri(secret, id), secret };
}
