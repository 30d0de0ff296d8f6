import type { Store } from '../store/connection.js';
import { eventRows, insertEventRowsOf, type DeliveryState } from '../outbox/outbox.js';
import { applyEvent } from '../outbox/delivery-state.js';
import type { DeliveryEventDoc, DeliveryEventRow } from '../shared/outbox-records.js';

type Change = { state: DeliveryState; event: DeliveryEventDoc };

/**
 * Whether the worker's database answers (the worker's DatabaseWatch): a
 * write that failed for want of it is kept and written again once it is
 * back, and the outage is said once, there, not by every writer.
 */
export interface DatabaseHealth {
  readonly reachable: boolean;
  /** True when `err` is the database being out of reach (said by the watch; retry later). */
  noteFailure(err: unknown): boolean;
  whenReachable(): Promise<void>;
  noteWaiting(n: number): void;
  noteRetried(n: number): void;
}

/** One sent post as its sent batch recorded it (what the counters need of it). */
export interface WrittenSent {
  deliveryId: string;
  botId: string;
  groupId: string;
  campaignId: string;
  postId: string;
  reach: number;
  sentAt: Date;
  day: string;
}

/** The sent outcomes of one write, tagged with one tally unit (`<session>:s<seq>`, seq counting from 1). */
export interface SentUnit {
  id: string;
  seq: number;
  items: WrittenSent[];
}

export interface EventWriterOptions {
  /** An outcome waits at most this long for company. @defaultValue 500 */
  everyMs?: number;
  health?: DatabaseHealth;
  /** Outcomes given up (an error that is not the database being out of reach, three times): logged by the dispatcher. */
  onError?: (err: unknown, lost: number) => void;
  /** Sent outcomes are counted by this tally session: their batches carry its units, told here once written, in order. */
  tally?: { session: string; written(unit: SentUnit): void };
  /** Deliveries whose outcome or hand-back is in the database now. */
  onWritten?: (deliveryIds: readonly string[]) => void;
}

interface Entry {
  change: Change;
  done?: (won: DeliveryState | undefined) => void;
  fail?: (err: unknown) => void;
}

/** A write made ready once: retried with the very same rows. */
interface Prepared {
  entries: Entry[];
  rows: DeliveryEventRow[];
  unit: SentUnit | undefined;
  tries: number;
}

/** Tries of a write that fails for another reason than the database being out of reach. */
const MAX_TRIES = 3;

/**
 * The dispatcher's one writer of outbox events. Claims (which a lane awaits
 * before it sends) and outcomes (which nobody waits for) from every lane go
 * into shared batches: while one insert is under way the next batch fills,
 * so a busy fleet does one insert for many posts instead of one per lane
 * per post. An outcome waits at most `everyMs` for company.
 *
 * Outcomes and hand-backs are never dropped while the worker lives: a write
 * that fails because the database is out of reach is kept, as the same rows,
 * and written again when it answers (a sent batch the failed attempt wrote
 * collides instead of counting its posts twice). A claim that fails is
 * refused to its lane (it was not sent; the lane queues it again). A crash
 * before a write loses only outcomes: those deliveries stay claimed, become
 * `unknown` when their lease runs out, and are never resent.
 */
export class EventWriter {
  private pending: Entry[] = [];
  /** Writes that failed, oldest first: written again before anything new. */
  private retry: Prepared[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private waitingForDatabase = false;
  private closed = false;
  private unitSeq = 0;
  /** Deliveries with an outcome or hand-back not yet in the database (queued, being written, or waiting to be retried). */
  private readonly unwritten = new Map<string, number>();

  constructor(private readonly store: Store, private readonly o: EventWriterOptions = {}) {}

  /** Write changes soon (with whatever else is waiting); resolves with the states of those that won. */
  write(changes: readonly Change[]): Promise<DeliveryState[]> {
    if (changes.length === 0) return Promise.resolve([]);
    const results = changes.map(
      (change) =>
        new Promise<DeliveryState | undefined>((done, fail) => {
          this.track(change, 1);
          this.pending.push({ change, done, fail });
        }),
    );
    this.kick(0);
    return Promise.all(results).then((rs) => rs.filter((r): r is DeliveryState => r !== undefined));
  }

  /** Record an outcome; written with the next batch, within `everyMs`. */
  add(state: DeliveryState, event: DeliveryEventDoc): void {
    const change = { state, event };
    this.track(change, 1);
    this.pending.push({ change });
    this.kick(this.o.everyMs ?? 500);
  }

  /** Is an outcome or hand-back of this delivery still on its way to the database? */
  isUnwritten(deliveryId: string): boolean {
    return this.unwritten.has(deliveryId);
  }

  /**
   * Write everything waiting; resolves when it is in the database. With
   * `waitForDatabase: false`, writes kept for an unreachable database are
   * left to be retried (a lane that stops does not wait out an outage).
   */
  async flush(o: { waitForDatabase?: boolean } = {}): Promise<void> {
    const wait = o.waitForDatabase ?? true;
    for (;;) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      const left = this.pending.length > 0 || this.retry.length > 0;
      if (!left || this.closed) return;
      if (this.waitingForDatabase) {
        if (!wait) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      this.kick(0);
      await this.writing;
    }
  }

  /**
   * Stop retrying. What still waits for the database is given up (those
   * deliveries stay claimed and become `unknown`, never resent); returns how many.
   */
  close(): number {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const lost = this.retry.reduce((n, p) => n + p.entries.length, 0) + this.pending.length;
    for (const p of this.retry) for (const e of p.entries) e.fail?.(new Error('the worker stopped before the database answered'));
    for (const e of this.pending) e.fail?.(new Error('the worker stopped before the database answered'));
    if (lost) this.o.health?.noteWaiting(-lost);
    this.retry = [];
    this.pending = [];
    return lost;
  }

  private track(change: Change, n: 1 | -1): void {
    if (change.event.kind === 'claim') return;
    const id = change.event.deliveryId;
    const left = (this.unwritten.get(id) ?? 0) + n;
    if (left > 0) this.unwritten.set(id, left);
    else this.unwritten.delete(id);
  }

  private kick(withinMs: number): void {
    if (this.writing || this.closed || this.waitingForDatabase) return; // the running write (or the database's return) starts the next batch
    if (withinMs === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      // let every lane that runs in this turn add its claims first
      this.writing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.writeBatch());
    } else this.timer ??= setTimeout(() => ((this.timer = undefined), this.kick(0)), withinMs);
  }

  private prepare(entries: Entry[]): Prepared {
    const events = entries.map((e) => e.change.event);
    const hasSent = events.some((e) => e.kind === 'sent');
    const seq = hasSent && this.o.tally ? ++this.unitSeq : 0;
    const unitId = seq ? `${this.o.tally!.session}:s${seq}` : undefined;
    const rows = eventRows(events, unitId);
    const unit = unitId
      ? {
          id: unitId,
          seq,
          items: entries
            .filter((e) => e.change.event.kind === 'sent')
            .map(({ change: { state: s, event: e } }) => ({ deliveryId: s.id, botId: e.botId ?? s.botId, groupId: s.groupId, campaignId: s.campaignId, postId: s.postId, reach: e.reach ?? 0, sentAt: e.sentAt ?? e.at, day: e.day ?? '' })),
        }
      : undefined;
    return { entries, rows, unit, tries: 0 };
  }

  private async writeBatch(): Promise<void> {
    const writes = [...this.retry];
    this.retry = [];
    const fresh = this.pending;
    this.pending = [];
    if (fresh.length) writes.push(this.prepare(fresh));
    if (writes.length === 0) {
      this.writing = undefined;
      return;
    }
    const retried = writes.filter((w) => w.tries > 0).reduce((n, w) => n + w.entries.length, 0);
    for (const w of writes) w.tries++;
    try {
      const won = await insertEventRowsOf(this.store, writes.flatMap((w) => w.rows));
      const written: string[] = [];
      for (const w of writes) {
        // the new state only for those who wait for it (claims and hand-backs; outcomes are fire and forget)
        for (const e of w.entries) {
          e.done?.(won.has(e.change.event._id) ? applyEvent(e.change.state, e.change.event) : undefined);
          this.track(e.change, -1);
          if (e.change.event.kind !== 'claim') written.push(e.change.event.deliveryId);
        }
        if (w.unit) this.o.tally?.written(w.unit);
      }
      if (retried) this.o.health?.noteRetried(retried);
      if (written.length) this.o.onWritten?.(written);
    } catch (err) {
      this.failed(writes, err);
    } finally {
      this.writing = undefined;
      if (this.pending.length > 0 || this.retry.length > 0) this.kick(this.retry.length || this.pending.some((p) => p.done) ? 0 : this.o.everyMs ?? 500);
    }
  }

  /**
   * A write failed. Claims are refused to their lanes at once. Outcomes and
   * hand-backs are kept: for a database out of reach until it answers, for
   * any other failure up to MAX_TRIES, then given up (reported).
   */
  private failed(writes: Prepared[], err: unknown): void {
    const unreachable = this.o.health?.noteFailure(err) ?? false;
    const keep: Prepared[] = [];
    let lost = 0;
    for (const w of writes) {
      const claims = w.entries.filter((e) => e.change.event.kind === 'claim');
      for (const c of claims) c.fail?.(err);
      const rest = w.entries.filter((e) => e.change.event.kind !== 'claim');
      if (rest.length === 0) continue;
      // the claims' rows leave the write; what stays is retried as it was made (same sent batches, same unit)
      const claimIds = new Set(claims.map((c) => c.change.event._id));
      const kept = claimIds.size ? { ...w, entries: rest, rows: w.rows.filter((r) => !claimIds.has(r._id)) } : w;
      if (unreachable || w.tries < MAX_TRIES) {
        if (w.tries === 1) this.o.health?.noteWaiting(rest.length);
        keep.push(kept);
        continue;
      }
      lost += rest.filter((e) => !e.fail).length;
      for (const e of rest) {
        e.fail?.(err);
        this.track(e.change, -1);
      }
      if (w.tries > 1) this.o.health?.noteWaiting(-rest.length);
    }
    this.retry = [...keep, ...this.retry];
    if (lost) this.o.onError?.(err, lost);
    if (keep.length === 0) return;
    // retried once the database answers (or after a pause, for another failure)
    this.waitingForDatabase = true;
    const resume = unreachable && this.o.health ? this.o.health.whenReachable() : new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
    void resume.then(() => {
      this.waitingForDatabase = false;
      this.kick(0);
    });
  }
}
