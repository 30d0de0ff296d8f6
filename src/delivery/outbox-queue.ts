import { byDueOrder, type DeliveryState } from '../store/deliveries-repo.js';

/**
 * A worker's view of the planned deliveries of its bots, in memory, so a lane
 * finds its next posts without reading the outbox. It is filled by the local
 * planner as it writes (hand-off) and by the worker's sweeps of the outbox
 * (deliveries planned elsewhere, moved here, or given back). A view can be
 * stale; that is safe: a claim is a unique insert of event `seq + 1`, so a
 * stale entry only loses its claim and is dropped.
 */
export class OutboxQueue {
  private readonly byBot = new Map<string, Map<string, DeliveryState>>();
  /** Which bot's queue holds a delivery. */
  private readonly botOf = new Map<string, string>();
  /** Taken by a lane and not yet settled: a sweep must not put them back. */
  private readonly inFlight = new Set<string>();
  private readonly listeners = new Set<() => void>();

  /**
   * Add or refresh planned deliveries: a newer state of a queued one replaces
   * it; one no longer planned, or now for a bot `accept` refuses (not running
   * here), leaves.
   */
  add(states: Iterable<DeliveryState>, accept: (botId: string) => boolean = () => true): number {
    let added = 0;
    for (const s of states) {
      if (this.inFlight.has(s.id)) continue;
      const bot = this.botOf.get(s.id);
      if (bot !== undefined) {
        if (this.byBot.get(bot)!.get(s.id)!.seq >= s.seq) continue;
        this.remove(s.id);
      }
      if (s.status !== 'planned' || !accept(s.botId)) continue;
      let q = this.byBot.get(s.botId);
      if (!q) this.byBot.set(s.botId, (q = new Map()));
      q.set(s.id, s);
      this.botOf.set(s.id, s.botId);
      added++;
    }
    if (added) for (const l of [...this.listeners]) l();
    return added;
  }

  /** Take up to `max` due deliveries of a bot, urgent first, then by not-before; they are in flight until settled. */
  take(botId: string, now: Date, max: number): DeliveryState[] {
    const q = this.byBot.get(botId);
    if (!q || q.size === 0) return [];
    const due = [...q.values()].filter((s) => s.notBefore <= now).sort(byDueOrder).slice(0, Math.max(1, max));
    for (const s of due) {
      this.remove(s.id);
      this.inFlight.add(s.id);
    }
    return due;
  }

  /** A taken delivery is settled (sent, failed, lost its claim): forget it. */
  settle(id: string): void {
    this.inFlight.delete(id);
  }

  /** A taken delivery goes back to the queue in its new (planned) state. */
  putBack(s: DeliveryState): void {
    this.inFlight.delete(s.id);
    this.add([s]);
  }


  /** Is any delivery of this bot due? */
  hasDue(botId: string, now: Date): boolean {
    for (const s of this.byBot.get(botId)?.values() ?? []) if (s.notBefore <= now) return true;
    return false;
  }

  /** Is an urgent delivery of this bot due? */
  urgentDue(botId: string, now: Date): boolean {
    for (const s of this.byBot.get(botId)?.values() ?? []) if (s.priority === 1 && s.notBefore <= now) return true;
    return false;
  }

  /** When the bot's next queued delivery becomes due (undefined: nothing queued). */
  nextDueAt(botId: string): number | undefined {
    let min: number | undefined;
    for (const s of this.byBot.get(botId)?.values() ?? []) min = Math.min(min ?? Infinity, s.notBefore.getTime());
    return min;
  }

  /** Queued (not in flight) deliveries of a bot, or of all bots. */
  size(botId?: string): number {
    if (botId !== undefined) return this.byBot.get(botId)?.size ?? 0;
    let n = 0;
    for (const q of this.byBot.values()) n += q.size;
    return n;
  }

  /** Deliveries taken and not yet settled. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Forget a bot's queue (the bot stopped running here). */
  dropBot(botId: string): void {
    for (const id of this.byBot.get(botId)?.keys() ?? []) this.botOf.delete(id);
    this.byBot.delete(botId);
  }

  /** Call `listener` whenever deliveries are added; returns the function that stops it. */
  onAdded(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private remove(id: string): void {
    const bot = this.botOf.get(id);
    if (bot === undefined) return;
    this.byBot.get(bot)?.delete(id);
    this.botOf.delete(id);
  }
}
