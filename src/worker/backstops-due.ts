/**
 * Which bot leases' backstops a worker renews this round (see
 * FleetWorker.renewBackstops): those of bots it runs whose backstop was last
 * renewed a third of it ago or longer, the oldest first, at most `most` (a
 * write of 200 lease documents held FerretDB's one writer, and the lanes'
 * claims behind it, for up to 1.6 s). Pure: `until` in ms, as the worker keeps it.
 */
export function backstopsDue(
  leases: ReadonlyMap<string, { epoch: number; until: number }>,
  running: ReadonlySet<string>,
  now: number,
  backstopMs: number,
  most: number,
): Map<string, number> {
  const due = [...leases]
    .filter(([botId, l]) => running.has(botId) && l.until - now <= backstopMs - backstopMs / 3)
    .sort(([, a], [, b]) => a.until - b.until)
    .slice(0, most);
  return new Map(due.map(([botId, l]) => [botId, l.epoch]));
}
