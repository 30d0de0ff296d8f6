/**
 * Pick the bot that serves each group: one that is a member and online, the
 * least loaded so far (load spreads across bots). Pure: plain data in and out.
 */
export function assignBots<G extends { id: string; botIds: readonly string[] }>(
  groups: readonly G[],
  onlineBotIds: ReadonlySet<string>,
  initialLoad: ReadonlyMap<string, number> = new Map(),
): { assigned: { group: G; botId: string }[]; unserved: G[] } {
  const load = new Map(initialLoad);
  const assigned: { group: G; botId: string }[] = [];
  const unserved: G[] = [];
  // groups with fewer candidate bots first, so flexible groups fill in around them
  const order = groups.map((group) => ({ group, options: group.botIds.filter((b) => onlineBotIds.has(b)) })).sort((a, b) => a.options.length - b.options.length);
  for (const { group, options } of order) {
    if (options.length === 0) {
      unserved.push(group);
      continue;
    }
    let best = options[0]!;
    for (const b of options) if ((load.get(b) ?? 0) < (load.get(best) ?? 0)) best = b;
    load.set(best, (load.get(best) ?? 0) + 1);
    assigned.push({ group, botId: best });
  }
  return { assigned, unserved };
}
