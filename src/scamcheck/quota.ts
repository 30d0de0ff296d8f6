/**
 * How many scam checks one member may ask for in a sliding window. The first
 * refusal in a window is answered with a note; further ones are ignored, so
 * the bot cannot be made to flood a group. Pure: the caller passes the time.
 */
export type QuotaAnswer = 'ok' | 'limited' | 'silent';

export class CheckQuota {
  private readonly asked = new Map<string, { times: number[]; noted: boolean }>();
  private sweeps = 0;

  constructor(
    readonly perMember: number,
    readonly windowMs: number,
  ) {}

  take(memberKey: string, nowMs: number): QuotaAnswer {
    if (++this.sweeps % 1000 === 0) this.sweep(nowMs);
    const e = this.asked.get(memberKey) ?? { times: [], noted: false };
    e.times = e.times.filter((t) => nowMs - t < this.windowMs);
    this.asked.set(memberKey, e);
    if (e.times.length < this.perMember) {
      e.times.push(nowMs);
      e.noted = false;
      return 'ok';
    }
    if (e.noted) return 'silent';
    e.noted = true;
    return 'limited';
  }

  /** Minutes until the member may ask again (rounded up). */
  minutesUntilFree(memberKey: string, nowMs: number): number {
    const first = this.asked.get(memberKey)?.times[0];
    return first === undefined ? 0 : Math.max(1, Math.ceil((first + this.windowMs - nowMs) / 60_000));
  }

  private sweep(nowMs: number): void {
    for (const [k, e] of this.asked) if (e.times.every((t) => nowMs - t >= this.windowMs)) this.asked.delete(k);
  }
}
