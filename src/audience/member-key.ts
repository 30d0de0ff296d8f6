import { createHmac } from 'node:crypto';

/**
 * The only form in which a member's identity is stored or logged: an HMAC of
 * the WeChat id with the deployment's secret. Same member, same key, in every
 * group; without the secret the key cannot be turned back into an id.
 */
export function memberKey(secret: string, wechatId: string): string {
  return createHmac('sha256', secret).update(wechatId).digest('base64url').slice(0, 22);
}

/** A keyer bound to one secret, passed down instead of the secret itself. */
export type MemberKeyer = (wechatId: string) => string;

export function createMemberKeyer(secret: string): MemberKeyer {
  return (wechatId) => memberKey(secret, wechatId);
}

/** A member key as 64 uniformly distributed bits in hex (what reach sketches hash on). */
export function memberKeyHex(key: string): string {
  return Buffer.from(key, 'base64url').toString('hex').slice(0, 16);
}
