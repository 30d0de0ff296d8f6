import type { SeenGroup } from '../shared/groups.js';
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
export function sameGroupAs<C extends { memberSample: readonly string[] }>(candidates: readonly C[], seen: Pick<SeenGroup, 'memberSample'>): C | undefined {
  const mine = new Set(seen.memberSample);
  return candidates
    .map((c) => {
      const inter = c.memberSample.filter((k) => mine.has(k)).length;
      const union = new Set([...c.memberSample, ...seen.memberSample]).size;
      return { c, overlap: union ? inter / union : 0 };
    })
    .filter((x) => x.overlap >= SAME_GROUP_OVERLAP)
    .sort((a, b) => b.overlap - a.overlap)[0]?.c;
}

/** Whether a bot's look at a room changes the group's registry entry: topic, member count or sample, or the bot not listed yet. */
export function seenChanges(entry: { topic: string; memberCount: number; memberSample: readonly string[]; botIds: readonly string[] }, seen: SeenGroup): boolean {
  return (
    entry.topic !== seen.topic ||
    entry.memberCount !== seen.memberCount ||
    !entry.botIds.includes(seen.botId) ||
    entry.memberSample.length !== seen.memberSample.length ||
    entry.memberSample.some((k, i) => k !== seen.memberSample[i])
  );
}
