import { canonicalJson, sha256Hex, verifySignature, type Signer, type Verifiers } from './signing.js';

/**
 * What a reviewer's approval covers: one version of a campaign — its
 * definition and the content hash of every post it can send — and who
 * approved it when. The API seals it with a key only it holds; workers run a
 * version only when its seal verifies, and send only the posts it names with
 * those hashes. A direct write to the database can change a status, not a seal.
 */
export interface ApprovalSubject {
  campaignId: string;
  version: number;
  definitionHash: string;
  posts: readonly { id: string; hash: string }[];
  approvedBy: string;
  approvedAt: Date;
}

export interface ApprovalSeal {
  keyId: string;
  sig: string;
}

/** The hash of a campaign definition as submitted (its canonical JSON). */
export function definitionHash(definition: unknown): string {
  return sha256Hex(canonicalJson(definition));
}

const sealedText = (s: ApprovalSubject): string => canonicalJson({ ...s, posts: s.posts.map((p) => ({ id: p.id, hash: p.hash })).sort((a, b) => a.id.localeCompare(b.id)) });

export function sealApproval(subject: ApprovalSubject, signer: Signer): ApprovalSeal {
  return { keyId: signer.keyId, sig: signer.sign(sealedText(subject)) };
}

export function approvalHolds(subject: ApprovalSubject, seal: ApprovalSeal | undefined, verifiers: Verifiers): boolean {
  return !!seal && verifySignature(verifiers, seal.keyId, sealedText(subject), seal.sig);
}
