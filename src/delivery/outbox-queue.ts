import { byDueOrder } from '../outbox/events.js';
import { type DeliveryState } from '../outbox/outbox.js';

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
  /** Taken by a lane (or claimed when written) and not yet settled: a sweep must not put them back. */
  private readonly inFlight = new Map<string, DeliveryState>();
  private readonly inFlightByBot = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  /** Queued urgent deliveries per bot (so "is an urgent one due?" — asked before every post — is usually answered without a scan). */
  private readonly urgentByBot = new Map<string, number>();

  /** `accept`: which planned deliveries this worker queues (its bots', of campaigns not stopped). */
  constructor(private readonly accept: (s: DeliveryState) => boolean = () => true) {}

  /**
   * Add or refresh planned deliveries: a newer state of a queued one replaces
   * it; one no longer planned, or one `accept` now refuses (its bot does not
   * run here, its campaign is paused), leaves.
   */
  add(states: Iterable<DeliveryState>): number {
    let added = 0;
    for (const s of states) {
      if (this.inFlight.has(s.id)) continue;
      const bot = this.botOf.get(s.id);
      if (bot !== undefined) {
        if (this.byBot.get(bot)!.get(s.id)!.seq >= s.seq) continue;
        this.remove(s.id);
      }
      if (s.status !== 'planned' || !this.accept(s)) continue;
      let q = this.byBot.get(s.botId);
      if (!q) this.byBot.set(s.botId, (q = new Map()));
      q.set(s.id, s);
      this.botOf.set(s.id, s.botId);
      if (s.priority === 1) this.urgentByBot.set(s.botId, (this.urgentByBot.get(s.botId) ?? 0) + 1);
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
      this.markInFlight(s);
    }
    return due;
  }

  /** Deliveries this worker claimed when it wrote them: in flight at once (a lane sends them); wakes waiting lanes. */
  hold(states: readonly DeliveryState[]): void {
    for (const s of states) {
      this.remove(s.id);
      this.markInFlight(s);
    }
    if (states.length) for (const l of [...this.listeners]) l();
  }

  /** A taken delivery is settled (sent, failed, lost its claim): forget it. */
  settle(id: string): void {
    const bot = this.inFlight.get(id)?.botId;
    if (bot === undefined) return;
    this.inFlight.delete(id);
    const n = (this.inFlightByBot.get(bot) ?? 1) - 1;
    if (n > 0) this.inFlightByBot.set(bot, n);
    else this.inFlightByBot.delete(bot);
  }

  /** A taken delivery goes back to the queue in its new (planned) state. */
  putBack(s: DeliveryState): void {
    this.settle(s.id);
    this.add([s]);
  }

  /** Is this delivery taken and not yet settled? */
  isInFlight(id: string): boolean {
    return this.inFlight.has(id);
  }

  /** Deliveries of a bot taken and not yet settled. */
  inFlightOf(botId: string): number {
    return this.inFlightByBot.get(botId) ?? 0;
  }


  /** Is any delivery of this bot due? */
  hasDue(botId: string, now: Date): boolean {
    for (const s of this.byBot.get(botId)?.values() ?? []) if (s.notBefore <= now) return true;
    return false;
  }

  /** Is an urgent delivery of this bot due? */
  urgentDue(botId: string, now: Date): boolean {
    if (!this.urgentByBot.get(botId)) return false;
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

  /** The runs of the deliveries queued or in flight here. */
  runs(): Set<string> {
    const runs = new Set<string>();
    for (const q of this.byBot.values()) for (const s of q.values()) runs.add(s.runId);
    for (const s of this.inFlight.values()) runs.add(s.runId);
    return runs;
  }

  /** Forget the queued (not in-flight) deliveries `accept` refuses now (a campaign was paused or cancelled). */
  dropRefused(): void {
    for (const q of this.byBot.values()) for (const s of [...q.values()]) if (!this.accept(s)) this.remove(s.id);
  }

  /** Forget a bot's queue (the bot stopped running here). */
  dropBot(botId: string): void {
    for (const id of this.byBot.get(botId)?.keys() ?? []) this.botOf.delete(id);
    this.byBot.delete(botId);
    this.urgentByBot.delete(botId);
  }

  /** Call `listener` whenever deliveries are added; returns the function that stops it. */
  onAdded(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private markInFlight(s: DeliveryState): void {
    if (this.inFlight.has(s.id)) return;
    this.inFlight.set(s.id, s);
    this.inFlightByBot.set(s.botId, (this.inFlightByBot.get(s.botId) ?? 0) + 1);
  }

  private remove(id: string): void {
    const bot = this.botOf.get(id);
    if (bot === undefined) return;
    const q = this.byBot.get(bot);
    if (q?.get(id)?.priority === 1) this.urgentByBot.set(bot, (this.urgentByBot.get(bot) ?? 1) - 1);
    q?.delete(id);
    this.botOf.delete(id);
  }
}
