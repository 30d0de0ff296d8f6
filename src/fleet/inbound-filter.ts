/**
 * Which inbound messages a bot acts on. Puppets deliver some messages twice
 * (the same message id, moments apart) and replay recent history after a
 * restart; a bot must not answer a question twice, run an officer's old
 * command again (an old 暂停 replayed after a newer 恢复 would undo it) or
 * count a reply twice. Pure: the caller passes the times.
 */
export type InboundVerdict = 'new' | 'duplicate' | 'stale';

/** A message sent longer ago than this when it arrives is history being replayed, not something to act on now. */
export const STALE_INBOUND_MS = 10 * 60_000;

export class InboundFilter {
  private readonly seen = new Set<string>();

  /** @param remember how many message ids to remember (the oldest are forgotten first) */
  constructor(
    private readonly remember = 20_000,
    private readonly staleMs = STALE_INBOUND_MS,
  ) {}

  /** `sentAt`: when WeChat stamped the message; `now`: when it arrived (both wall-clock milliseconds). */
  judge(messageId: string, sentAt: number, now: number): InboundVerdict {
    if (this.seen.has(messageId)) return 'duplicate';
    this.seen.add(messageId);
    if (this.seen.size > this.remember) this.seen.delete(this.seen.values().next().value!);
    return now - sentAt > this.staleMs ? 'stale' : 'new';
  }
}
