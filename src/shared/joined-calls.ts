/**
 * Calls made while one is under way wait for it and then go as one: `add`
 * queues items, and every caller gets the result of the run that took its
 * items. For work whose cost is mostly a fixed read (a registry read of
 * seconds at 69,000 groups on FerretDB): two hundred bots logging in together
 * make a few runs, not two hundred.
 */
export class JoinedCalls<I, O> {
  private waiting: { items: I[]; resolve: (o: O) => void; reject: (err: unknown) => void }[] = [];
  private running = false;

  /** `gather`: awaited before each run takes what waits (e.g. until calls known to be coming have come). */
  constructor(
    private readonly run: (items: I[]) => Promise<O>,
    private readonly gather?: () => Promise<void>,
  ) {}

  add(items: readonly I[]): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ items: [...items], resolve, reject });
      void this.next();
    });
  }

  private async next(): Promise<void> {
    if (this.running || this.waiting.length === 0) return;
    this.running = true;
    if (this.gather) await this.gather().catch(() => undefined);
    const calls = this.waiting;
    this.waiting = [];
    try {
      const out = await this.run(calls.flatMap((c) => c.items));
      for (const c of calls) c.resolve(out);
    } catch (err) {
      for (const c of calls) c.reject(err);
    } finally {
      this.running = false;
      void this.next();
    }
  }
}
