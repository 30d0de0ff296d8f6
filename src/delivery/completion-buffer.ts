import type { Store } from '../store/connection.js';
import { appendEvents, type DeliveryState } from '../store/deliveries-repo.js';
import type { DeliveryEventDoc } from '../store/models/delivery-events.js';

/**
 * Collects delivery outcomes (events) and writes them in batches (every
 * `everyMs` or `max` items), so a fast fleet does one insert per batch
 * instead of one per post. A crash before a flush loses only confirmations:
 * those deliveries stay claimed, become `unknown` when their lease runs out,
 * and are never resent.
 */
export class CompletionBuffer {
  private items: { state: DeliveryState; event: DeliveryEventDoc }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly o: { everyMs?: number; max?: number; onError?: (err: unknown, lost: number) => void } = {}) {}

  add(state: DeliveryState, event: DeliveryEventDoc): void {
    this.items.push({ state, event });
    if (this.items.length >= (this.o.max ?? 500)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.o.everyMs ?? 100);
  }

  /** Write everything collected so far; resolves when it is in the database. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.items;
    this.items = [];
    if (batch.length === 0) return this.flushing;
    // one failed write must not stop later ones: those deliveries stay `sending` and their lease makes them `unknown`
    this.flushing = this.flushing
      .then(async () => void (await appendEvents(this.store, batch)))
      .catch((err: unknown) => this.o.onError?.(err, batch.length));
    return this.flushing;
  }
}
