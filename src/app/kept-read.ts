import type { Clock } from '../config/clock.js';

/**
 * A read of the database kept for the console's calls. While it is younger
 * than `freshMs` it is answered as kept. Once older, it is read again: a
 * call waits for that read when reads are quick (the last one took under
 * `waitUnderMs`); when they are slow (a registry of 69,000 groups, 30 days
 * of counters on FerretDB), the call is answered at once with what was last
 * read, with its time, and one read in the background replaces it. Never more
 * than one read at a time; a failed read is told to `onError` and tried again
 * by the next call.
 */
export interface KeptReadOptions {
  clock: Clock;
  freshMs: number;
  /** Reads quicker than this are waited for (default 250 ms). */
  waitUnderMs?: number;
  /** A background read that failed (the call was answered with what was kept). */
  onError?: (err: unknown) => void;
}

export interface Kept<T> {
  value: T;
  /** When the value was read (the start of its read). */
  readAt: Date;
}

export class KeptRead<T> {
  private kept: { value: T; at: number } | undefined;
  private reading: Promise<Kept<T>> | undefined;
  /** How long the last read took. */
  private lastReadMs = 0;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly o: KeptReadOptions,
  ) {}

  async get(): Promise<Kept<T>> {
    const now = this.o.clock.now().getTime();
    const k = this.kept;
    if (!k) return this.refresh(now);
    if (now - k.at < this.o.freshMs) return { value: k.value, readAt: new Date(k.at) };
    const next = this.refresh(now);
    if (this.lastReadMs < (this.o.waitUnderMs ?? 250)) return next;
    next.catch((err: unknown) => {
      // a read cut off by the process closing its connections (a server stopping) is nothing to tell
      if ((err as { name?: string })?.name !== 'MongoClientClosedError') this.o.onError?.(err);
    });
    return { value: k.value, readAt: new Date(k.at) };
  }

  /** The value kept now, if any (no read). */
  peek(): T | undefined {
    return this.kept?.value;
  }

  /** Patches made while a read is under way: applied to what it read too (that read may have started before the write). */
  private patches: ((value: T) => T)[] = [];

  /**
   * A write of this process, shown at once: `f` (which must give the same
   * result applied twice) changes the kept value; `at` stays the time of the
   * last read.
   */
  patch(f: (value: T) => T): void {
    if (this.kept) this.kept = { value: f(this.kept.value), at: this.kept.at };
    if (this.reading) this.patches.push(f);
  }

  /** Make the next call read again (waiting for it when reads are quick). */
  stale(): void {
    if (this.kept) this.kept = { value: this.kept.value, at: -Infinity };
  }

  private refresh(now: number): Promise<Kept<T>> {
    if (this.reading) return this.reading;
    const t = performance.now();
    const reading = this.read().then(
      (read) => {
        this.lastReadMs = performance.now() - t;
        const value = this.patches.splice(0).reduce((v, f) => f(v), read);
        this.kept = { value, at: now };
        return { value, readAt: new Date(now) };
      },
    );
    this.reading = reading;
    void reading.then(() => undefined, () => void this.patches.splice(0)).finally(() => {
      if (this.reading === reading) this.reading = undefined;
    });
    return reading;
  }
}

/** Kept reads of one kind, one per store (a process may hold several) and key (a query, a view), at most `most` per store. */
export class KeptReads<T> {
  private readonly byStore = new WeakMap<object, Map<string, KeptRead<T>>>();
  constructor(private readonly most = 500) {}

  of(store: object, key: string, make: () => KeptRead<T>): KeptRead<T> {
    const reads = this.byStore.get(store) ?? this.byStore.set(store, new Map()).get(store)!;
    let read = reads.get(key);
    if (!read) {
      if (reads.size >= this.most) reads.clear();
      read = make();
      reads.set(key, read);
    }
    return read;
  }
}
