import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { getSession, createSession, deleteSession, getUser, updateUser, advanceTotpStep, recordAuthFailure, forgetAuthFailure, authFailuresSince, forgetAuthFailures, createToken, getToken, listTokens, revokeToken, type UserRecord } from '../store/users-repo.js';
import { matchTotp } from '../shared/totp.js';
import { can, ROLES, SYSTEM_ACTOR, type Actor, type Role, type Scope } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { AppError, forbidden, unauthenticated } from './errors.js';
import { record } from './audit.js';

/**
 * Who is acting: passwords (scrypt), TOTP, browser sessions (valid on every
 * API instance: they live in the database), API tokens for scripts, and the
 * lock-out after failed sign-ins. Every sign-in is audited.
 */

/** How sign-in behaves; production defaults. */
export const AUTH_SETTINGS = {
  /** A browser session lasts this long. */
  sessionMs: 12 * 3_600_000,
  /** Failed sign-ins of one user within `lockWindowMs` that lock it for `lockMs`. */
  maxFailures: 5,
  lockWindowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  /** An API token lasts this many days unless asked otherwise; at most `maxTokenDays`. */
  tokenDays: 90,
  maxTokenDays: 365,
} as const;

/** scrypt parameters (memory-hard: 128 × N × r bytes = 32 MiB per hash). */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 } as const;

const scrypt = (password: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password, salt, keylen, o, (err, key) => (err ? reject(err) : resolve(key))));

/** A password's hash as stored: `scrypt$N$r$p$salt$key` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 256 * SCRYPT.N * SCRYPT.r });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'base64');
  const N = Number(n);
  const got = await scrypt(password, Buffer.from(salt, 'base64'), want.length, { N, r: Number(r), p: Number(p), maxmem: 256 * N * Number(r) });
  return timingSafeEqual(got, want);
}

/** A password people may choose: at least 12 characters (a passphrase), and not the user's id. */
export function checkPassword(password: string, userId: string): string | undefined {
  if ([...password].length < 12) return 'must be at least 12 characters (a few words together are easy to remember)';
  if (password.toLowerCase().includes(userId.toLowerCase())) return 'must not contain the user name';
  return undefined;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** The roles that must sign in with a TOTP code when ZHIMI_REQUIRE_TOTP is set (`true`: admins and reviewers; or a list of roles). */
export function totpRequiredFor(env: NodeJS.ProcessEnv): Set<Role> {
  const v = env['ZHIMI_REQUIRE_TOTP'];
  if (!v || v === 'false' || v === '0') return new Set();
  if (v === 'true' || v === '1') return new Set(['admin', 'reviewer']);
  return new Set(v.split(',').map((x) => x.trim()).filter((x): x is Role => (ROLES as readonly string[]).includes(x)));
}

export function scopeOf(u: Pick<UserRecord, 'scope'>): Scope {
  if (u.scope?.district && u.scope.station) return { kind: 'station', district: u.scope.district, station: u.scope.station };
  if (u.scope?.district) return { kind: 'district', district: u.scope.district };
  return { kind: 'city' };
}

export function actorOfUser(u: UserRecord, via: Actor['via'], roles: readonly string[] = u.roles): Actor {
  return { id: u._id, name: u.name, roles: roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r) && u.roles.includes(r)), scope: scopeOf(u), via };
}

export interface SignedIn {
  actor: Actor;
  /** The cookie's value (shown to the browser only). */
  sessionId: string;
  csrf: string;
  expiresAt: Date;
}

/**
 * Sign a user in with their password (and TOTP code when they have one, or
 * their role requires it). A user with too many failed sign-ins lately is
 * locked out for a while, whatever password is given. Wrong user and wrong
 * password give the same answer.
 */
export async function signIn(ctx: AppContext, o: { userId: string; password: string; totp?: string | undefined }): Promise<SignedIn> {
  const user = await checkCredentials(ctx, o);
  const store = await ctx.store();
  const sessionId = randomToken();
  const now = ctx.clock.now();
  const s = { _id: sha256(sessionId), userId: user._id, csrf: randomToken(24), createdAt: now, expiresAt: new Date(now.getTime() + AUTH_SETTINGS.sessionMs) };
  await createSession(store, s);
  const actor = actorOfUser(user, 'session');
  await record(ctx, actor, 'auth.sign-in', { kind: 'user', id: user._id });
  return { actor, sessionId, csrf: s.csrf, expiresAt: s.expiresAt };
}

/** A hash no password matches: an unknown user costs the same scrypt as a known one, so timing does not tell which names exist. */
let decoyHash: Promise<string> | undefined;

/**
 * The user a password (and TOTP code) proves, or an error that says what to do; failures count towards the lock-out.
 * Each attempt is counted as a failure before it is checked and taken back when it is not one, so guesses sent
 * in parallel cannot pass the limit.
 */
async function checkCredentials(ctx: AppContext, o: { userId: string; password: string; totp?: string | undefined }): Promise<UserRecord> {
  const store = await ctx.store();
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - AUTH_SETTINGS.lockWindowMs);
  const refuseIfLocked = (failures: Date[], over: number): void => {
    if (failures.length < AUTH_SETTINGS.maxFailures + over) return;
    const until = new Date(Math.max(...failures.map((d) => d.getTime())) + AUTH_SETTINGS.lockMs);
    if (until > now) throw new AppError('ZHIMI_E_LOCKED', `too many failed sign-ins for ${o.userId}: try again after ${until.toISOString()} or ask an admin to reset the password`);
  };
  refuseIfLocked(await authFailuresSince(store, o.userId, since), 0);
  const attempt = await recordAuthFailure(store, o.userId, now);
  const failures = await authFailuresSince(store, o.userId, since);
  // attempts that raced this one past the limit
  refuseIfLocked(failures, 1);
  const user = await getUser(store, o.userId);
  const fail = async (why: string): Promise<never> => {
    // the failure that locks a known user out is audited (Zhimi acts: nobody is signed in)
    if (user && failures.length === AUTH_SETTINGS.maxFailures) await record(ctx, SYSTEM_ACTOR, 'auth.lock-out', { kind: 'user', id: user._id }, { details: { failures: AUTH_SETTINGS.maxFailures, minutes: AUTH_SETTINGS.lockMs / 60_000 } });
    throw unauthenticated(why);
  };
  /** Not a failed guess: the password was right and something else is missing. */
  const notAFailure = async (err: AppError): Promise<never> => {
    await forgetAuthFailure(store, attempt);
    throw err;
  };
  const passwordOk = await verifyPassword(o.password, user?.passwordHash ?? (await (decoyHash ??= hashPassword(randomToken()))));
  if (!user || !passwordOk) return fail('wrong user name or password');
  if (user.disabled) return fail(`${user._id} is disabled: ask an admin`);
  const needsTotp = user.totpSecret || user.roles.some((r) => totpRequiredFor(process.env).has(r as Role));
  if (needsTotp) {
    if (!user.totpSecret) return notAFailure(forbidden(`${user._id} must sign in with a one-time code: an admin enrolls it (zhimi users totp ${user._id})`));
    if (!o.totp) return notAFailure(unauthenticated('a one-time code (TOTP) from the authenticator app is needed'));
    const step = matchTotp(user.totpSecret, o.totp, now, user.totpLastStep ?? -1);
    if (step === undefined) return fail('wrong or already used one-time code');
    // a code is used once: of two sign-ins with the same code, only the one that moves the step on passes
    if (!(await advanceTotpStep(store, user._id, user.totpLastStep, step))) return fail('wrong or already used one-time code');
  }
  await forgetAuthFailures(store, user._id);
  await updateUser(store, user._id, { lastSignInAt: now });
  return user;
}

/** The signed-in user of a browser session, with its CSRF token; undefined when the session is unknown, expired or its user disabled. */
export async function sessionActor(ctx: AppContext, sessionId: string): Promise<{ actor: Actor; csrf: string; expiresAt: Date } | undefined> {
  const store = await ctx.store();
  const s = await getSession(store, sha256(sessionId));
  if (!s || s.expiresAt <= ctx.clock.now()) return undefined;
  const user = await getUser(store, s.userId);
  if (!user || user.disabled) return undefined;
  return { actor: actorOfUser(user, 'session'), csrf: s.csrf, expiresAt: s.expiresAt };
}

export async function signOut(ctx: AppContext, sessionId: string): Promise<void> {
  await deleteSession(await ctx.store(), sha256(sessionId));
}

export interface NewToken {
  /** Shown once: only its hash is stored. */
  token: string;
  tokenId: string;
  name: string;
  roles: Role[];
  expiresAt: Date;
}

/**
 * An API token for scripts (and `zhimi login`): its roles at most the
 * user's, an expiry, revocable. Made by a signed-in user, or from a password
 * (and TOTP code) directly.
 */
export async function createApiToken(ctx: AppContext, who: Actor | { userId: string; password: string; totp?: string | undefined }, o: { name: string; roles?: readonly string[] | undefined; days?: number | undefined }): Promise<NewToken> {
  const user = 'password' in who ? await checkCredentials(ctx, who) : await getUser(await ctx.store(), who.id);
  if (!user || user.disabled) throw unauthenticated('unknown or disabled user');
  // a token made under a token holds at most that token's roles and ends no later than it
  const held: readonly string[] = 'password' in who ? user.roles : who.roles;
  const roles = (o.roles?.length ? o.roles : held).filter((r): r is Role => held.includes(r) && (ROLES as readonly string[]).includes(r));
  if (o.roles?.some((r) => !held.includes(r))) throw forbidden(`${user._id} does not hold ${o.roles.filter((r) => !held.includes(r)).join(', ')} here: a token's roles are at most those of whoever makes it`);
  const now = ctx.clock.now();
  const callerEnds = 'password' in who || who.via !== 'token' ? undefined : who.expiresAt;
  const days = Math.min(o.days ?? AUTH_SETTINGS.tokenDays, AUTH_SETTINGS.maxTokenDays, callerEnds ? (callerEnds.getTime() - now.getTime()) / 86_400_000 : Infinity);
  const token = `zhm_${randomToken()}`;
  const rec = { _id: sha256(token), tokenId: randomBytes(6).toString('hex'), userId: user._id, name: o.name, roles, createdAt: now, expiresAt: new Date(now.getTime() + days * 86_400_000) };
  await createToken(await ctx.store(), rec);
  await record(ctx, actorOfUser(user, 'password' in who ? 'password' : who.via), 'token.create', { kind: 'token', id: rec.tokenId }, { details: { name: o.name, roles, expiresAt: rec.expiresAt } });
  return { token, tokenId: rec.tokenId, name: o.name, roles, expiresAt: rec.expiresAt };
}

/** The user of an API token (with the token's roles); undefined when it is unknown, expired or revoked, or its user disabled. */
export async function tokenActor(ctx: AppContext, token: string): Promise<Actor | undefined> {
  const store = await ctx.store();
  const t = await getToken(store, sha256(token));
  if (!t || t.revokedAt || t.expiresAt <= ctx.clock.now()) return undefined;
  const user = await getUser(store, t.userId);
  if (!user || user.disabled) return undefined;
  return { ...actorOfUser(user, 'token', t.roles), expiresAt: t.expiresAt };
}

/** A user's tokens (an admin's: everyone's), without their secrets. */
export async function listApiTokens(ctx: AppContext, actor: Actor): Promise<{ tokenId: string; userId: string; name: string; roles: string[]; createdAt: Date; expiresAt: Date; revokedAt?: Date | undefined }[]> {
  const all = can(actor, 'users:manage').ok;
  return (await listTokens(await ctx.store(), all ? undefined : actor.id)).map(({ _id, ...t }) => t);
}

/** Revoke a token: its own user or an admin. */
export async function revokeApiToken(ctx: AppContext, actor: Actor, tokenId: string): Promise<void> {
  const store = await ctx.store();
  const mine = (await listTokens(store, actor.id)).some((t) => t.tokenId === tokenId);
  if (!mine && !can(actor, 'users:manage').ok) throw forbidden(`${actor.name} may revoke only their own tokens`);
  const t = await revokeToken(store, tokenId, ctx.clock.now());
  if (!t) throw new AppError('ZHIMI_E_NOT_FOUND', `no token ${tokenId}`);
  await record(ctx, actor, 'token.revoke', { kind: 'token', id: tokenId });
}
