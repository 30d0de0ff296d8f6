import { sampleKeys, type SeenGroup } from '../shared/groups.js';
/*
 * How a bot's look at a room compares with the group registry (pure): what
 * changed, and which known group a room with a new id is.
 */


/** Share of member keys two samples have in common for a group to count as "the same" under a new room id. */
export const SAME_GROUP_OVERLAP = 0.5;

/**
 * Some puppets give rooms new ids after a restart: of the known groups with
 * the seen room's topic under another room id (the candidates), the one whose
 * member sample overlaps the seen one's most, if at least `SAME_GROUP_OVERLAP`.
 */
export function sameGroupAs<C extends { sample: string }>(candidates: readonly C[], seen: Pick<SeenGroup, 'sample'>): C | undefined {
  const keys = sampleKeys(seen.sample);
  const mine = new Set(keys);
  return candidates
    .map((c) => {
      const theirs = sampleKeys(c.sample);
      const inter = theirs.filter((k) => mine.has(k)).length;
      const union = new Set([...theirs, ...keys]).size;
      return { c, overlap: union ? inter / union : 0 };
    })
    .filter((x) => x.overlap >= SAME_GROUP_OVERLAP)
    .sort((a, b) => b.overlap - a.overlap)[0]?.c;
}

/** Whether a bot's look at a room changes the group's registry entry: topic, member count or sample, or the bot not listed yet. */
export function seenChanges(entry: { topic: string; memberCount: number; sample: string; botIds: readonly string[] }, seen: SeenGroup): boolean {
  return entry.topic !== seen.topic || entry.memberCount !== seen.memberCount || !entry.botIds.includes(seen.botId) || entry.sample !== seen.sample;
}
