import type { Clock } from '../config/clock.js';
import { timerAt } from './timer-at.js';

export interface RegistryPrefetchOptions<G> {
  /** Read the whole group registry. */
  read: () => Promise<readonly G[]>;
  /** The registry's version now (changes with every registry write, in any process). */
  version: () => Promise<string>;
  clock: Clock;
  /** Read this long before a due time at least (longer when reads are slow: twice the last read). @defaultValue 10000 */
  leadMs?: number;
}

/**
 * Reads the group registry shortly before a campaign's due time, so the
 * planner can start writing (and the fleet sending) at the due time itself
 * instead of after a full registry read — seconds at fleet scale on FerretDB
 * v1, which reads every document of a collection for any query. A run uses
 * the prefetched registry only if it was read within the lead time before
 * the due time and the registry's version has not changed since (any write
 * to the registry, by any process, changes it); otherwise, or if the read
 * failed, the planner reads the registry itself.
 */
export class RegistryPrefetch<G> {
  private timer: { cancel(): void } | undefined;
  private armedFor: number | undefined;
  private snapshot: { readAt: number; version: Promise<string>; groups: Promise<readonly G[]> } | undefined;
  private lastReadMs = 0;

  constructor(private readonly o: RegistryPrefetchOptions<G>) {}

  /** How long before a due time the registry is read. */
  get leadMs(): number {
    return Math.max(this.o.leadMs ?? 10_000, 2 * this.lastReadMs);
  }

  /** Read the registry ahead of this due time (re-arming for an earlier one replaces the timer). */
  arm(due: Date | undefined): void {
    if (!due || due.getTime() === this.armedFor) return;
    if (this.armedFor !== undefined && this.armedFor > this.o.clock.now().getTime() && this.armedFor < due.getTime()) return;
    this.timer?.cancel();
    this.armedFor = due.getTime();
    this.timer = timerAt(new Date(due.getTime() - this.leadMs), this.o.clock, () => this.readNow());
  }

  /** The registry for a run due at `due`: the prefetched read when it is recent and still current, else undefined. */
  async take(due: Date): Promise<readonly G[] | undefined> {
    const s = this.snapshot;
    if (!s || s.readAt < due.getTime() - this.leadMs) return undefined;
    try {
      const [before, groups, now] = await Promise.all([s.version, s.groups, this.o.version()]);
      return before === now ? groups : undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private readNow(): void {
    this.armedFor = undefined;
    const readAt = this.o.clock.now().getTime();
    const t0 = performance.now();
    // the version first: a write after it makes the snapshot stale, never a write before
    const version = this.o.version();
    const groups = version.then(() => this.o.read());
    groups.then(() => (this.lastReadMs = performance.now() - t0)).catch(() => undefined);
    this.snapshot = { readAt, version, groups };
  }
}
