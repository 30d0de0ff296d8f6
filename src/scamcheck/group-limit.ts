import type { Logger } from '../log/logger.js';
import type { Store } from '../store/connection.js';
import { forgetGroupCheckSlots, takeGroupCheckSlot } from '../store/tips-repo.js';

/** How often a worker forgets slots of windows long past. */
const TIDY_EVERY_MS = 3600_000;

/**
 * How many scam checks the fleet answers in one group per window, across
 * every worker: each answer takes one of the group's `perGroup` numbered
 * slots of the window by a unique insert (the one write FerretDB v1 makes
 * atomic), so forty accounts asking at once, through several workers, get at
 * most `perGroup` answers; the others are not answered (a note would flood
 * the group too). Fixed windows: at most twice `perGroup` across a boundary.
 */
export class GroupCheckLimit {
  /** The next slot worth trying per group in its current window (what this process saw taken). */
  private readonly next = new Map<string, { window: number; slot: number; told: boolean }>();
  private tidiedAt = 0;

  constructor(
    private readonly store: Store,
    readonly perGroup: number,
    readonly windowMs: number,
    private readonly log: Logger,
  ) {}

  /** True when the group may have one more answer now (a slot is taken for it). */
  async take(groupKey: string, botId: string, now: Date): Promise<boolean> {
    const window = Math.floor(now.getTime() / this.windowMs);
    let n = this.next.get(groupKey);
    if (!n || n.window !== window) {
      n = { window, slot: 0, told: false };
      this.next.set(groupKey, n);
    }
    this.tidy(now);
    while (n.slot < this.perGroup) {
      const slot = n.slot++;
      if (await takeGroupCheckSlot(this.store, { groupKey, window, slot, botId, at: now })) return true;
    }
    if (!n.told) {
      n.told = true;
      this.log.info({ perGroup: this.perGroup, windowMinutes: this.windowMs / 60_000 }, "scam check not answered: the group's limit for this window is reached");
    }
    return false;
  }

  /** Forget slots of windows past (and this process's hints of them), at most hourly; never waited on. */
  private tidy(now: Date): void {
    if (now.getTime() - this.tidiedAt < TIDY_EVERY_MS) return;
    this.tidiedAt = now.getTime();
    const window = Math.floor(now.getTime() / this.windowMs);
    for (const [k, n] of this.next) if (n.window < window) this.next.delete(k);
    forgetGroupCheckSlots(this.store, new Date(now.getTime() - Math.max(2 * this.windowMs, 3600_000))).catch((err: unknown) =>
      this.log.warn({ err }, 'could not forget old scam-check slots (tried again in an hour)'),
    );
  }
}
