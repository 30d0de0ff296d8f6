/**
 * Spaces every message of one bot — campaign posts and replies alike (answers
 * to residents' questions, introductions, replies to officers) — by at least
 * the bot's minimum gap from the end of its last message: the account's send
 * rate is what WeChat throttles and bans, whoever asked for the message. Pure:
 * the caller passes the time (monotonic milliseconds), sends one message at a
 * time, and says when each ended.
 */
export interface Pacing {
  /** Least time between two messages of the bot now (its minimum gap, longer while it backs off). */
  gapMs: number;
  /** Hold every message this long from now (a throttled bot's cool-down); 0 when none. */
  holdMs: number;
}

/** Who knows how a bot's messages are spaced (a worker's dispatcher: limits and back-off). */
export interface BotPacing {
  pacingOf(botId: string): Pacing;
  /** A reply of the bot failed: a throttling sign or timeouts back the bot off, as a failed post does. */
  backOffOn(botId: string, err: unknown): unknown;
}

export class SendPacer {
  private lastEnded = -Infinity;

  constructor(private readonly pacing: () => Pacing) {}

  /** When the next message may go: now when the bot is free, else one gap after its last message ended (or after a cool-down). */
  next(now: number): number {
    const { gapMs, holdMs } = this.pacing();
    return Math.max(now, this.lastEnded + gapMs, now + holdMs);
  }

  /** When the gap after the bot's last message ends (monotonic milliseconds; -Infinity before its first). */
  gapEndsAt(): number {
    return this.lastEnded + this.pacing().gapMs;
  }

  /** A message's send ended (posted or not: it may have reached WeChat either way). */
  ended(at: number): void {
    this.lastEnded = at;
  }
}
