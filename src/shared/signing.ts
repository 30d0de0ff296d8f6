import { createHash, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';

/**
 * Signatures that make records tamper-evident (approvals, audit entries):
 * Ed25519 over the canonical JSON of a record. A key is named by its id (the
 * first bytes of its public key's hash), so a verifier holding several public
 * keys knows which one signed. Pure (no I/O): keys are loaded elsewhere.
 */

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The id of a public key: 16 hex characters of the hash of its DER form. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** A private key that signs, with its id. */
export interface Signer {
  keyId: string;
  sign(text: string): string;
}

/** Public keys that verify, by id. */
export type Verifiers = ReadonlyMap<string, KeyObject>;

export function signerOf(privateKey: KeyObject, publicKey: KeyObject): Signer {
  const keyId = keyIdOf(publicKey);
  return { keyId, sign: (text) => edSign(null, Buffer.from(text), privateKey).toString('base64') };
}

/** Does this signature, by the key it names, sign this text? */
export function verifySignature(verifiers: Verifiers, keyId: string, text: string, signature: string): boolean {
  const key = verifiers.get(keyId);
  if (!key) return false;
  try {
    return edVerify(null, Buffer.from(text), key, Buffer.from(signature, 'base64'));
  } catch {
    return false; // a malformed signature verifies nothing
  }
}
