/**
 * Which heartbeats of a worker's bots to write on this tick. A heartbeat
 * counts for 30 s once its worker no longer holds the bot (onlineBotIds), and
 * rewriting every bot's document each tick (1.5 s) took up to a second of a
 * loaded FerretDB, every tick: the bots that are not backing off are written
 * together every `everyMs`, or at once when a bot joined or left them; a bot
 * backing off is written every tick (fleet status shows its back-off as it
 * changes). Pure: the caller keeps `last` between ticks.
 */
export interface Beat {
  botId: string;
  backoff: { factor: number; cooldownUntil: number };
}

/** The last write of the calm bots' heartbeats: when (ms), and which bots. */
export interface LastCalmBeat {
  at: number;
  bots: string;
}

export const NO_BEAT: LastCalmBeat = { at: -Infinity, bots: '' };

/** Not backing off: its heartbeat goes with every other such bot's, in one write. */
export function isCalm(b: Beat, now: number): boolean {
  return b.backoff.factor === 1 && b.backoff.cooldownUntil <= now;
}

export function beatsDue(beats: readonly Beat[], now: number, last: LastCalmBeat, everyMs: number): { due: Beat[]; last: LastCalmBeat } {
  const bots = beats.filter((b) => isCalm(b, now)).map((b) => b.botId).sort().join(',');
  if (bots !== last.bots || now - last.at >= everyMs) return { due: [...beats], last: { at: now, bots } };
  return { due: beats.filter((b) => !isCalm(b, now)), last };
}
