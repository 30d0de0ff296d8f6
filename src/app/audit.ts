import { ConfigError } from '../config/errors.js';
import { requireSigner } from '../config/keys.js';
import { appendAudit, auditHead, listAudit as listStored, wholeAudit } from '../store/audit-repo.js';
import { verifyChain, type AuditEntry, type ChainVerdict } from '../shared/audit-chain.js';
import { can, type Actor } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { forbidden } from './errors.js';

/** The audit log: every action a person takes, signed in a chain (src/shared/audit-chain.ts). */

/** A reason people give for an action: one line, no control characters, at most 500 characters. */
export function checkReason(reason: string | undefined, field = 'reason'): string | undefined {
  if (reason === undefined || reason === '') return undefined;
  if (/\p{Cc}/u.test(reason)) throw new ConfigError([{ file: 'request', field, message: 'must be one line without control characters (a new line, a tab or an escape would make a false record)' }]);
  if ([...reason].length > 500) throw new ConfigError([{ file: 'request', field, message: `must be at most 500 characters (got ${[...reason].length})` }]);
  return reason;
}

/** Record what a person did (signed with this process's key). */
export async function record(ctx: AppContext, actor: Actor, action: string, target: { kind: string; id: string }, extra: { version?: number; reason?: string; details?: Record<string, unknown> } = {}): Promise<AuditEntry> {
  const signer = requireSigner(ctx.keys(), 'api');
  return appendAudit(await ctx.store(), signer, { at: ctx.clock.now(), actor: { id: actor.id, name: actor.name, via: actor.via }, action, target, ...extra });
}

/** Audit entries, newest first (of one target, when given): for admins, and for anyone on a campaign they may read. */
export async function listAudit(ctx: AppContext, actor: Actor, o: { target?: { kind: string; id: string }; limit?: number; before?: number } = {}): Promise<AuditEntry[]> {
  const d = o.target?.kind === 'campaign' ? can(actor, 'campaigns:read') : can(actor, 'audit:read');
  if (!d.ok) throw forbidden(d.why);
  return listStored(await ctx.store(), o);
}

/** Check the whole chain: the first entry edited, removed, reordered or forged, if any. */
export async function verifyAudit(ctx: AppContext): Promise<ChainVerdict> {
  const store = await ctx.store();
  const head = await auditHead(store);
  return verifyChain(await wholeAudit(store), ctx.keys().audit, head);
}
