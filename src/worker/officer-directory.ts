import type { Store } from '../store/connection.js';
import { usersWithWechat } from '../store/users-repo.js';
import { appendAudit } from '../store/audit-repo.js';
import { actorOfUser } from '../app/auth.js';
import type { Actor } from '../shared/permissions.js';
import type { Signer } from '../shared/signing.js';
import type { Clock } from '../config/clock.js';
import type { OfficerAudit, OfficerDirectory } from '../fleet/group-membership.js';

/** How long the users read is trusted (a new officer or a changed scope takes effect within this). */
const USERS_TTL_MS = 30_000;

/** Officers as the users collection has them: a user whose bound WeChat ids include the sender's keyed hash. */
export function usersDirectory(store: Store, clock: Clock): OfficerDirectory {
  let cached: { at: number; byKey: Promise<Map<string, Actor>> } | undefined;
  const read = async (): Promise<Map<string, Actor>> => new Map((await usersWithWechat(store)).flatMap((u) => u.wechatKeys.map((k) => [k, actorOfUser(u, 'local')] as const)));
  return {
    async officer(senderKey) {
      const now = clock.now().getTime();
      if (!cached || now - cached.at > USERS_TTL_MS) {
        cached = { at: now, byKey: read() };
        cached.byKey.catch(() => (cached = undefined));
      }
      return (await cached.byKey).get(senderKey);
    },
  };
}

/** Officers' commands in groups, into the audit chain, signed with the worker's key. */
export function workerAudit(store: Store, signer: Signer, clock: Clock): OfficerAudit {
  return (actor, action, target, details) => appendAudit(store, signer, { at: clock.now(), actor: { id: actor.id, name: actor.name, via: 'wechat' }, action, target, details });
}
