import type { MemberKeyer } from './member-key.js';
import type { SeenGroup } from '../shared/groups.js';

/** How many member keys a group keeps to be recognised under a new room id. */
export const MEMBER_SAMPLE_SIZE = 64;

/**
 * Turn what a bot sees of a room into what the registry stores: a member
 * count without fleet bots and a bottom-k sample of member keys (the k
 * smallest keys, a stable sketch whose overlap estimates member overlap).
 * Raw ids go in, only counts and keys come out.
 */
export function toSeenGroup(
  view: { roomId: string; topic: string; memberIds: readonly string[] },
  botId: string,
  botContactIds: ReadonlySet<string>,
  keyer: MemberKeyer,
): SeenGroup {
  const humans = view.memberIds.filter((id) => !botContactIds.has(id));
  const keys = humans.map(keyer).sort();
  return {
    roomId: view.roomId,
    topic: view.topic,
    memberCount: humans.length,
    botId,
    memberSample: keys.slice(0, MEMBER_SAMPLE_SIZE),
  };
}
