import type { Store } from '../store/connection.js';
import { insertEvents, type DeliveryState } from '../outbox/outbox.js';
import { applyEvent } from '../outbox/delivery-state.js';
import type { DeliveryEventDoc } from '../shared/outbox-records.js';

type Change = { state: DeliveryState; event: DeliveryEventDoc };

/**
 * The dispatcher's one writer of outbox events. Claims (which a lane awaits
 * before it sends) and outcomes (which nobody waits for) from every lane go
 * into shared batches: while one insert is under way the next batch fills,
 * so a busy fleet does one insert for many posts instead of one per lane
 * per post. An outcome waits at most `everyMs` for company. A crash before a
 * write loses only outcomes: those deliveries stay claimed, become `unknown`
 * when their lease runs out, and are never resent.
 */
export class EventWriter {
  private pending: { change: Change; done?: (won: DeliveryState | undefined) => void; fail?: (err: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(private readonly store: Store, private readonly o: { everyMs?: number; onError?: (err: unknown, lost: number) => void } = {}) {}

  /** Write changes soon (with whatever else is waiting); resolves with the states of those that won. */
  write(changes: readonly Change[]): Promise<DeliveryState[]> {
    if (changes.length === 0) return Promise.resolve([]);
    const results = changes.map(
      (change) => new Promise<DeliveryState | undefined>((done, fail) => this.pending.push({ change, done, fail })),
    );
    this.kick(0);
    return Promise.all(results).then((rs) => rs.filter((r): r is DeliveryState => r !== undefined));
  }

  /** Record an outcome; written with the next batch, within `everyMs`. */
  add(state: DeliveryState, event: DeliveryEventDoc): void {
    this.pending.push({ change: { state, event } });
    this.kick(this.o.everyMs ?? 500);
  }

  /** Write everything waiting; resolves when it is in the database. */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.writing) {
      this.kick(0);
      await this.writing;
    }
  }

  private kick(withinMs: number): void {
    if (this.writing) return; // the running write starts the next batch when it ends
    if (withinMs === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      // let every lane that runs in this turn add its claims first
      this.writing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.writeBatch());
    } else this.timer ??= setTimeout(() => ((this.timer = undefined), this.kick(0)), withinMs);
  }

  private async writeBatch(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      const won = await insertEvents(this.store, batch.map((b) => b.change.event));
      // the new state only for those who wait for it (claims and hand-backs; outcomes are fire and forget)
      for (const b of batch) b.done?.(won.has(b.change.event._id) ? applyEvent(b.change.state, b.change.event) : undefined);
    } catch (err) {
      const lost = batch.filter((b) => !b.fail).length;
      if (lost) this.o.onError?.(err, lost);
      for (const b of batch) b.fail?.(err);
    } finally {
      this.writing = undefined;
      if (this.pending.length > 0) this.kick(this.pending.some((p) => p.done) ? 0 : this.o.everyMs ?? 500);
    }
  }
}
