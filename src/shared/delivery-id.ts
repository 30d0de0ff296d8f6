import { createHash } from 'node:crypto';

/**
 * A delivery's id, from its run and group: the group's id XOR a key hashed
 * from the run id (a bijection per run, so two groups of one run never share
 * an id). Known before the insert (tracked links name it), and planning a run
 * twice writes nothing new: the `_id` says no, with no second unique index to
 * maintain on every insert. Pure.
 */
export function deliveryIdFor(runId: string, groupId: string): string {
  if (runKey.runId !== runId) runKey = { runId, key: createHash('sha256').update(runId).digest().subarray(0, 12) };
  const g = Buffer.from(groupId, 'hex');
  for (let i = 0; i < 12; i++) g[i]! ^= runKey.key[i]!;
  return g.toString('hex');
}
let runKey: { runId: string; key: Buffer } = { runId: '', key: Buffer.alloc(12) };
