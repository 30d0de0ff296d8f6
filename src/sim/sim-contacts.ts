import type { SimContact } from './world-model.js';

const RESIDENT_PREFIX = 'wxid_m';

/** The WeChat id of a generated world's `i`-th resident. */
export function residentId(i: number): string {
  return `${RESIDENT_PREFIX}${i.toString(36)}`;
}

/**
 * The simulated world's contacts, read like a Map by id: bots, officers and
 * strangers as they were given, and the generated residents as one name each
 * (their ids follow from their number). A city-sized world has millions of
 * residents: an object each held most of the simulator's 1.5 GB heap at
 * 69,000 groups, and its collector paused it for up to 0.7 s at a time while
 * the bots were sending. A resident read with `get` is made for the call:
 * change one with `set`.
 */
export class SimContacts {
  private readonly named = new Map<string, SimContact>();

  constructor(contacts: Iterable<SimContact>, private readonly residents: readonly string[] = []) {
    for (const c of contacts) this.named.set(c.id, c);
  }

  get(id: string): SimContact | undefined {
    const named = this.named.get(id);
    if (named) return named;
    const i = this.residentIndex(id);
    return i === undefined ? undefined : this.resident(i);
  }

  /** Add or replace a contact (an officer, a stranger, a resident who became someone else). */
  set(id: string, contact: SimContact): this {
    this.named.set(id, contact);
    return this;
  }

  has(id: string): boolean {
    return this.named.has(id) || this.residentIndex(id) !== undefined;
  }

  /** How many contacts are of a kind (the residents counted, not made one by one). */
  count(kind: SimContact['kind']): number {
    let n = 0;
    for (const c of this.named.values()) if (c.kind === kind) n++;
    if (kind !== 'member') return n;
    let replaced = 0;
    for (const id of this.named.keys()) if (this.residentIndex(id) !== undefined) replaced++;
    return n + this.residents.length - replaced;
  }

  *keys(): IterableIterator<string> {
    yield* this.named.keys();
    for (const i of this.unreplacedResidents()) yield residentId(i);
  }

  *values(): IterableIterator<SimContact> {
    for (const [, c] of this.entries()) yield c;
  }

  *entries(): IterableIterator<[string, SimContact]> {
    yield* this.named.entries();
    for (const i of this.unreplacedResidents()) yield [residentId(i), this.resident(i)];
  }

  [Symbol.iterator](): IterableIterator<[string, SimContact]> {
    return this.entries();
  }

  /** The numbers of the residents no contact set later replaced. */
  private *unreplacedResidents(): IterableIterator<number> {
    for (let i = 0; i < this.residents.length; i++) if (!this.named.has(residentId(i))) yield i;
  }

  private resident(i: number): SimContact {
    return { id: residentId(i), name: this.residents[i]!, kind: 'member' };
  }

  private residentIndex(id: string): number | undefined {
    if (!id.startsWith(RESIDENT_PREFIX)) return undefined;
    const i = parseInt(id.slice(RESIDENT_PREFIX.length), 36);
    return i >= 0 && i < this.residents.length && residentId(i) === id ? i : undefined;
  }
}
