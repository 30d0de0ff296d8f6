import { randomUUID } from 'node:crypto';
import type { Store } from './connection.js';
import type { SessionDoc, TokenDoc, UserDoc } from './models/access.js';
import { insertOnce } from './once.js';

export type UserRecord = UserDoc;
export type SessionRecord = SessionDoc;
export type TokenRecord = TokenDoc;

export async function getUser(store: Store, id: string): Promise<UserRecord | undefined> {
  return ((await store.models.User.findById(id).lean()) as UserRecord | null) ?? undefined;
}

export async function listUsers(store: Store): Promise<UserRecord[]> {
  return (await store.models.User.find({}).sort({ _id: 1 }).lean()) as UserRecord[];
}

/** Create a user; false when the id is taken. */
export function createUser(store: Store, user: UserRecord): Promise<boolean> {
  return insertOnce(store.models.User, user);
}

export async function updateUser(store: Store, id: string, set: Partial<Omit<UserRecord, '_id' | 'createdAt'>>): Promise<boolean> {
  return (await store.models.User.updateOne({ _id: id }, { $set: { ...set, updatedAt: new Date() } })).matchedCount === 1;
}

/** Move a user's last used TOTP step on, only from the step read before (of two sign-ins with one code, one wins). */
export async function advanceTotpStep(store: Store, id: string, from: number | undefined, to: number): Promise<boolean> {
  return (await store.models.User.updateOne({ _id: id, totpLastStep: from ?? null }, { $set: { totpLastStep: to, updatedAt: new Date() } })).modifiedCount === 1;
}

/** Users with a bound WeChat id (officers who may bring bots into groups and command them there). */
export async function usersWithWechat(store: Store): Promise<UserRecord[]> {
  return (await store.models.User.find({ 'wechatKeys.0': { $exists: true }, disabled: { $ne: true } }).lean()) as UserRecord[];
}

export async function createSession(store: Store, s: SessionRecord): Promise<void> {
  await store.models.Session.create(s);
}

export async function getSession(store: Store, id: string): Promise<SessionRecord | undefined> {
  return ((await store.models.Session.findById(id).lean()) as SessionRecord | null) ?? undefined;
}

export async function deleteSession(store: Store, id: string): Promise<void> {
  await store.models.Session.deleteOne({ _id: id });
}

/** End every session of a user (disabled, or a new password). */
export async function deleteSessionsOf(store: Store, userId: string): Promise<void> {
  await store.models.Session.deleteMany({ userId });
}

export async function createToken(store: Store, t: TokenRecord): Promise<void> {
  await store.models.Token.create(t);
}

export async function getToken(store: Store, hash: string): Promise<TokenRecord | undefined> {
  return ((await store.models.Token.findById(hash).lean()) as TokenRecord | null) ?? undefined;
}

export async function listTokens(store: Store, userId?: string): Promise<TokenRecord[]> {
  return (await store.models.Token.find(userId ? { userId } : {}).sort({ createdAt: -1 }).lean()) as TokenRecord[];
}

/** Revoke a token by its public id; the record, or undefined for none. */
export async function revokeToken(store: Store, tokenId: string, at: Date): Promise<TokenRecord | undefined> {
  return ((await store.models.Token.findOneAndUpdate({ tokenId }, { $set: { revokedAt: at } }, { returnDocument: 'after', lean: true })) as TokenRecord | null) ?? undefined;
}

/** Revoke every live token of a user (a password reset). */
export async function revokeTokensOf(store: Store, userId: string, at: Date): Promise<void> {
  await store.models.Token.updateMany({ userId, revokedAt: { $exists: false } }, { $set: { revokedAt: at } });
}

/** Note a failed sign-in (insert-only). */
export async function recordAuthFailure(store: Store, userId: string, at: Date): Promise<string> {
  const _id = randomUUID();
  await store.models.AuthFailure.create({ _id, userId, at });
  return _id;
}

/** Take back one recorded failure (an attempt that turned out not to be one). */
export async function forgetAuthFailure(store: Store, id: string): Promise<void> {
  await store.models.AuthFailure.deleteOne({ _id: id });
}

/** Failed sign-ins of a user since a time. */
export async function authFailuresSince(store: Store, userId: string, since: Date): Promise<Date[]> {
  return (await store.models.AuthFailure.find({ userId, at: { $gte: since } }, { at: 1 }).lean()).map((d) => d.at);
}

/** Forget failures before a time (a successful sign-in clears the user's). */
export async function forgetAuthFailures(store: Store, userId: string): Promise<void> {
  await store.models.AuthFailure.deleteMany({ userId });
}
