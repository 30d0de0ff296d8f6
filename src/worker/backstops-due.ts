/**
 * Which bot leases' backstops a worker renews this round (see
 * FleetWorker.renewBackstops). Once the backstop of a bot it runs was last
 * renewed a third of it ago or longer, the leases it runs are renewed the
 * oldest first, at most `most` (a write of 200 lease documents held FerretDB's
 * one writer, and the lanes' claims behind it, for up to 0.8 s): a fleet of
 * `most` bots or fewer renews all of them in one write, a bigger one in
 * slices. A lease with less than a third of its backstop left (after the
 * database was out of reach) is renewed whatever `most` says. Pure: `until` in
 * ms, as the worker keeps it.
 */
export function backstopsDue(
  leases: ReadonlyMap<string, { epoch: number; until: number }>,
  running: ReadonlySet<string>,
  now: number,
  backstopMs: number,
  most: number,
): Map<string, number> {
  const mine = [...leases].filter(([botId]) => running.has(botId)).sort(([, a], [, b]) => a.until - b.until);
  const left = (i: number): number => mine[i]![1].until - now;
  if (mine.length === 0 || left(0) > backstopMs - backstopMs / 3) return new Map();
  let n = Math.min(most, mine.length);
  while (n < mine.length && left(n) <= backstopMs / 3) n++;
  return new Map(mine.slice(0, n).map(([botId, l]) => [botId, l.epoch]));
}
