/**
 * Which heartbeats of a worker's bots to write on this tick. A heartbeat
 * counts for 30 s once its worker no longer holds the bot (onlineBotIds), and
 * rewriting every bot's document each tick (1.5 s) took up to a second of a
 * loaded FerretDB, every tick. A bot that is not backing off (calm) is due
 * every `everyMs`, and at once when it becomes calm (logged in, taken over,
 * recovered); once one is due, the calm bots are written the oldest first, at
 * most `most` a tick (one write of 200 documents held FerretDB's one writer,
 * and the lanes' claims, for up to 1.2 s): a fleet of `most` bots or fewer in
 * one write, a bigger one in slices over a few ticks. A bot backing off is
 * written every tick (fleet status shows its back-off as it changes). Pure:
 * the caller keeps `last` between ticks.
 */
export interface Beat {
  botId: string;
  backoff: { factor: number; cooldownUntil: number };
}

/** When each calm bot's heartbeat was last written (ms); a bot not in it is written at once. */
export type CalmBeats = ReadonlyMap<string, number>;

export const NO_BEAT: CalmBeats = new Map();

/** Not backing off: its heartbeat goes with other such bots', in one write. */
export function isCalm(b: Beat, now: number): boolean {
  return b.backoff.factor === 1 && b.backoff.cooldownUntil <= now;
}

export function beatsDue(beats: readonly Beat[], now: number, last: CalmBeats, everyMs: number, most = Infinity): { due: Beat[]; last: CalmBeats } {
  const writtenAt = (b: Beat): number => last.get(b.botId) ?? -Infinity;
  const calm = beats.filter((b) => isCalm(b, now)).sort((a, b) => (writtenAt(a) < writtenAt(b) ? -1 : writtenAt(a) > writtenAt(b) ? 1 : 0));
  const written = calm.length && now - writtenAt(calm[0]!) >= everyMs ? calm.slice(0, most) : [];
  // (a bot that stopped or backs off is forgotten: once calm again, it is written at once)
  const next = new Map(calm.filter((b) => last.has(b.botId)).map((b) => [b.botId, last.get(b.botId)!]));
  for (const b of written) next.set(b.botId, now);
  return { due: [...written, ...beats.filter((b) => !isCalm(b, now))], last: next };
}
