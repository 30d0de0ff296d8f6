import type { Clock } from '../config/clock.js';
import { timerAt } from './timer-at.js';

export interface PlanningPrefetchOptions<S> {
  /** Read what planning a run due at this time needs (the group registry, what caps count). */
  read: (due: Date) => Promise<S>;
  /** The version of what `read` reads, now (changes with every write to it, in any process). */
  version: () => Promise<string>;
  clock: Clock;
  /** Read this long before a due time at least (longer when reads are slow: twice the last read). @defaultValue 10000 */
  leadMs?: number;
}

/** How long after its due time a read is kept for runs of that time still to be planned (a late cron tick, a slow sync). */
const KEEP_AFTER_DUE_MS = 60_000;

/**
 * Reads what the planner needs — the group registry and what caps count —
 * shortly before a campaign's due time, so the planner can start writing (and
 * the fleet sending) at the due time itself instead of after those reads:
 * seconds each at fleet scale on FerretDB v1, which reads every document of a
 * collection for any query. A run uses the read only if it was made within the
 * lead time before the due time and its version has not changed since (any
 * write to what it covers, by any process, changes it); otherwise, or if the
 * read failed, the planner reads for itself.
 */
export class PlanningPrefetch<S> {
  private timer: { cancel(): void } | undefined;
  private armedFor: number | undefined;
  private snapshot: { readAt: number; leadMs: number; version: Promise<string>; read: Promise<S> } | undefined;
  /** Lets the snapshot go a while after its due time (a whole registry is not kept until the next one). */
  private release: { cancel(): void } | undefined;
  private lastReadMs = 0;

  constructor(private readonly o: PlanningPrefetchOptions<S>) {}

  /** How long before a due time the reads are made. */
  get leadMs(): number {
    return Math.max(this.o.leadMs ?? 10_000, 2 * this.lastReadMs);
  }

  /** Read ahead of this due time (re-arming for an earlier one replaces the timer). */
  arm(due: Date | undefined): void {
    if (!due || due.getTime() === this.armedFor) return;
    if (this.armedFor !== undefined && this.armedFor > this.o.clock.now().getTime() && this.armedFor < due.getTime()) return;
    this.timer?.cancel();
    this.armedFor = due.getTime();
    const lead = this.leadMs;
    this.timer = timerAt(new Date(due.getTime() - lead), this.o.clock, () => this.readNow(due, lead));
  }

  /** What a run due at `due` needs: the read made ahead when it is recent and still current, else undefined. */
  async take(due: Date): Promise<S | undefined> {
    const s = this.snapshot;
    // (against the lead it was read with: the read itself sets the next lead, maybe shorter)
    if (!s || s.readAt < due.getTime() - s.leadMs) return undefined;
    try {
      const [before, read, now] = await Promise.all([s.version, s.read, this.o.version()]);
      return before === now ? read : undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.release?.cancel();
    this.snapshot = undefined;
  }

  private readNow(due: Date, leadMs: number): void {
    // (armedFor stays: arming again for the same due time, or a later one before it, reads nothing more)
    const readAt = this.o.clock.now().getTime();
    const t0 = performance.now();
    // the version first: a write after it makes the snapshot stale, never a write before
    const version = this.o.version();
    const read = version.then(() => this.o.read(due));
    read.then(() => (this.lastReadMs = performance.now() - t0)).catch(() => undefined);
    const snapshot = { readAt, leadMs, version, read };
    this.snapshot = snapshot;
    this.release?.cancel();
    this.release = timerAt(new Date(due.getTime() + KEEP_AFTER_DUE_MS), this.o.clock, () => {
      if (this.snapshot === snapshot) this.snapshot = undefined;
    });
  }
}
