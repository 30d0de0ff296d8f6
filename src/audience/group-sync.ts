import { joinSample, type SeenGroup } from '../shared/groups.js';

/** How many member keys a group keeps to be recognised under a new room id. */
export const MEMBER_SAMPLE_SIZE = 64;

/**
 * Turn what a bot sees of a room (its residents as keyed hashes, the fleet's
 * bots already left out by the channel) into what the registry stores: a
 * member count and a bottom-k sample of member keys (the k smallest keys, a
 * stable sketch whose overlap estimates member overlap). Pure.
 */
export function toSeenGroup(view: { roomId: string; topic: string; memberKeys: readonly string[] }, botId: string): SeenGroup {
  return {
    roomId: view.roomId,
    topic: view.topic,
    memberCount: view.memberKeys.length,
    botId,
    sample: joinSample([...view.memberKeys].sort().slice(0, MEMBER_SAMPLE_SIZE)),
  };
}
