import { canonicalJson, sha256Hex, verifySignature, type Signer, type Verifiers } from './signing.js';

/**
 * The audit log as a chain: each entry carries the hash of the one before
 * and its own hash, signed. Editing, removing, reordering or inserting an
 * entry breaks the chain at that entry; rewriting the whole chain needs a
 * signing key, which the database does not hold. Pure.
 */

/** What happened, by whom, to what (without its place in the chain). */
export interface AuditFacts {
  at: Date;
  actor: { id: string; name: string; via: string };
  action: string;
  target: { kind: string; id: string };
  version?: number | undefined;
  reason?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/** An entry as stored: facts, its sequence number, the previous entry's hash, its hash and signature. */
export interface AuditEntry extends AuditFacts {
  seq: number;
  prev: string;
  hash: string;
  keyId: string;
  sig: string;
}

/** The hash before the first entry. */
export const GENESIS = '0'.repeat(64);

const hashOf = (facts: AuditFacts, seq: number, prev: string): string => sha256Hex(canonicalJson({ ...facts, seq, prev }));

/** The next entry of a chain whose last entry is `last` (none: the first). */
export function chainEntry(facts: AuditFacts, last: Pick<AuditEntry, 'seq' | 'hash'> | undefined, signer: Signer): AuditEntry {
  const seq = (last?.seq ?? 0) + 1;
  const prev = last?.hash ?? GENESIS;
  const hash = hashOf(facts, seq, prev);
  return { ...facts, seq, prev, hash, keyId: signer.keyId, sig: signer.sign(hash) };
}

/**
 * The newest entry as its writer saw it, signed: kept apart from the chain so
 * that removing the newest entries (which leaves a chain that holds) is found.
 */
export interface ChainHead {
  seq: number;
  hash: string;
  keyId: string;
  sig: string;
}

const headText = (seq: number, hash: string): string => `zhimi-audit-head:${seq}:${hash}`;

export function signHead(e: Pick<AuditEntry, 'seq' | 'hash'>, signer: Signer): ChainHead {
  return { seq: e.seq, hash: e.hash, keyId: signer.keyId, sig: signer.sign(headText(e.seq, e.hash)) };
}

export type ChainVerdict = { ok: true; entries: number } | { ok: false; entries: number; seq: number; problem: string };

/**
 * Check a whole chain in order of `seq` against its signed head: the first
 * entry edited, removed, reordered or forged, if any. The head may lag the
 * chain (a writer stopped between the two writes), never lead it.
 */
export function verifyChain(entries: readonly AuditEntry[], verifiers: Verifiers, head: ChainHead | undefined): ChainVerdict {
  let prev = GENESIS;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const expected = i + 1;
    const fail = (problem: string): ChainVerdict => ({ ok: false, entries: entries.length, seq: e.seq, problem });
    if (e.seq !== expected) return fail(e.seq > expected ? `entry ${expected} is missing (removed)` : `entry ${e.seq} is out of order`);
    if (e.prev !== prev) return fail(`entry ${e.seq} does not follow entry ${e.seq - 1} (an entry before it was edited, removed or reordered)`);
    const { seq, prev: p, hash, keyId, sig, ...facts } = e;
    if (hashOf(facts, seq, p) !== hash) return fail(`entry ${e.seq} was edited after it was written`);
    if (!verifySignature(verifiers, keyId, hash, sig)) return fail(`entry ${e.seq} is not signed by a key this installation trusts (forged or rewritten)`);
    prev = hash;
  }
  const n = entries.length;
  if (!head) return n ? { ok: false, entries: n, seq: n, problem: 'the signed head of the chain is missing (removed): the newest entries cannot be vouched for' } : { ok: true, entries: 0 };
  if (!verifySignature(verifiers, head.keyId, headText(head.seq, head.hash), head.sig)) return { ok: false, entries: n, seq: head.seq, problem: 'the signed head of the chain is not signed by a key this installation trusts (forged)' };
  if (head.seq > n) return { ok: false, entries: n, seq: n + 1, problem: `${head.seq === n + 1 ? `entry ${head.seq} is` : `entries ${n + 1}–${head.seq} are`} missing (removed): the signed head names entry ${head.seq}` };
  if (entries[head.seq - 1]!.hash !== head.hash) return { ok: false, entries: n, seq: head.seq, problem: `entry ${head.seq} is not the one the signed head names (rewritten)` };
  return { ok: true, entries: n };
}
