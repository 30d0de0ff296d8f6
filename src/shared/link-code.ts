/**
 * Short link codes: `/r/<code>` where the code is the delivery's 12-byte id
 * in base64url (16 characters), so a click finds its delivery by primary key
 * without an extra index. Pure.
 */
export function linkCode(deliveryId: string): string {
  return Buffer.from(deliveryId, 'hex').toString('base64url');
}

/** The delivery id of a code, or undefined when it is not one of ours. */
export function deliveryIdOfCode(code: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{16}$/.test(code)) return undefined;
  const hex = Buffer.from(code, 'base64url').toString('hex');
  return hex.length === 24 ? hex : undefined;
}

/** The tracked address of a delivery's link. */
export function shortLink(base: string, deliveryId: string): string {
  return `${base.replace(/\/+$/, '')}/r/${linkCode(deliveryId)}`;
}
