import type { GroupRecord } from '../shared/groups.js';

/** What becomes of a post whose bot a send found not in the group, once the registry is up to date. */
export type AfterNotInGroup =
  | { kind: 'keep' }
  | { kind: 'skip'; reason: string }
  | { kind: 'move'; roomId: string; botId?: string };

/**
 * Pure: a post given back after its bot was found not in its group, and the
 * group as the registry has it now (undefined: unknown). It follows the
 * registry: to the room's new id and to a bot that is still a member; it is
 * skipped when no fleet bot is left in the group (`left`), when the group is
 * unknown, or when nothing changed although its bot, online, said it is not
 * in the room (trying again would only repeat it). A bot that went offline
 * meanwhile proves nothing: the post is kept for it (the sweep moves posts
 * of bots that stay offline).
 */
export function afterNotInGroup(post: { roomId: string; botId: string }, group: GroupRecord | undefined, botOnline: boolean, reason: string): AfterNotInGroup {
  if (!group) return { kind: 'skip', reason };
  if (group.status === 'left' || group.botIds.length === 0) return { kind: 'skip', reason: 'bot removed from group' };
  const member = group.botIds.includes(post.botId);
  if (group.roomId === post.roomId && member) return botOnline ? { kind: 'skip', reason } : { kind: 'keep' };
  return { kind: 'move', roomId: group.roomId, ...(member ? {} : { botId: group.botIds[0]! }) };
}
