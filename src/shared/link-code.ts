import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Tracked link codes: `/r/<code>` where the code is the delivery's 12-byte
 * id followed by 12 bytes (96 bits) of an HMAC of that id under the link
 * key (ZHIMI_LINK_KEY, the link server's own secret, never the member key),
 * in base64url: 32 characters. A click finds its delivery by primary key,
 * and no code can be guessed or derived from another (delivery ids of one
 * run differ from each other by a per-run constant: without the MAC, one
 * code gave away every other of its run). Pure.
 */

/** Bytes of a code's MAC. */
export const LINK_MAC_BYTES = 12;
const ID_BYTES = 12;
/** Characters of a code. */
export const LINK_CODE_LENGTH = Math.ceil(((ID_BYTES + LINK_MAC_BYTES) * 4) / 3);

/** Where tracked links point (the link server's public address) and the key that signs their codes. */
export interface TrackedLinks {
  base: string;
  key: string;
}

/** The code of a delivery's link. */
export function linkCode(deliveryId: string, key: string): string {
  const id = Buffer.from(deliveryId, 'hex');
  if (id.length !== ID_BYTES) throw new Error(`not a delivery id: ${deliveryId}`);
  return Buffer.concat([id, mac(id, key)]).toString('base64url');
}

/** The delivery id of a code, or undefined when it is not one this key made. */
export function deliveryIdOfCode(code: string, key: string): string | undefined {
  if (code.length !== LINK_CODE_LENGTH || !/^[A-Za-z0-9_-]+$/.test(code)) return undefined;
  const raw = Buffer.from(code, 'base64url');
  if (raw.length !== ID_BYTES + LINK_MAC_BYTES) return undefined;
  const id = raw.subarray(0, ID_BYTES);
  return timingSafeEqual(raw.subarray(ID_BYTES), mac(id, key)) ? id.toString('hex') : undefined;
}

/**
 * The tracked address of a delivery's link. `links` is the base address with
 * its key, or the base address alone when its key was registered with
 * {@link useLinkKey} (a worker's options carry the base as a string); a base
 * without a key is refused: there are no unsigned codes.
 */
export function shortLink(links: TrackedLinks | string, deliveryId: string): string {
  const { base, key } = typeof links === 'string' ? { base: links, key: registered.get(trimBase(links)) } : links;
  if (!key) throw new Error(`no link key for ${base}: tracked links are signed (ZHIMI_LINK_KEY)`);
  return `${trimBase(base)}/r/${linkCode(deliveryId, key)}`;
}

/** Register the key of a base address (once per process), so a planner given the base as a string signs its codes; returns the base. */
export function useLinkKey(links: TrackedLinks): string {
  registered.set(trimBase(links.base), links.key);
  return links.base;
}

const registered = new Map<string, string>();

function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}

function mac(id: Buffer, key: string): Buffer {
  return createHmac('sha256', key).update('zhimi-link\0').update(id).digest().subarray(0, LINK_MAC_BYTES);
}
