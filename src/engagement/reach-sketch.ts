/**
 * A mergeable count of distinct members (or groups): exact while small, a
 * HyperLogLog beyond that. Members come in as keyed hashes (hex HMACs), so
 * the sketch never holds a raw id.
 *
 * - Sparse: the first 16 hex digits of each key, kept exactly, up to
 *   {@link SPARSE_MAX} (a demo-sized world is counted exactly).
 * - Dense: 2^12 = 4,096 one-byte registers, standard error 1.04/√4096 ≈ 1.6 %,
 *   with the usual small-range (linear counting) correction.
 *
 * Merging (union) is register-wise max, so per-day, per-worker sketches add up
 * to any period without double counting. Pure.
 */
export const SKETCH_P = 12;
export const SKETCH_M = 1 << SKETCH_P;
export const SPARSE_MAX = 512;
/** While adding up stored sketches for a report, exact sets may grow to this before turning dense. */
export const MERGE_EXACT_MAX = 1 << 16;
/** Relative standard error of a dense estimate. */
export const SKETCH_ERROR = 1.04 / Math.sqrt(SKETCH_M);

/** Stored form: `sparse` holds 8 bytes per key (at most SPARSE_MAX keys, the size of `dense`). */
export interface SketchDoc {
  sparse?: Uint8Array | undefined;
  dense?: Uint8Array | undefined;
}

export class ReachSketch {
  private sparse: Set<string> | undefined = new Set();
  private dense: Uint8Array | undefined;

  /** @param sparseMax exact keys kept before turning dense ({@link SPARSE_MAX} for stored sketches) */
  constructor(private readonly sparseMax = SPARSE_MAX) {}

  static from(doc: SketchDoc, sparseMax = SPARSE_MAX): ReachSketch {
    const s = new ReachSketch(sparseMax);
    if (doc.dense && doc.dense.length === SKETCH_M) {
      s.sparse = undefined;
      s.dense = Uint8Array.from(doc.dense);
    } else if (doc.sparse) {
      const hex = Buffer.from(doc.sparse.buffer, doc.sparse.byteOffset, doc.sparse.byteLength).toString('hex');
      for (let i = 0; i + 16 <= hex.length; i += 16) s.add(hex.slice(i, i + 16));
    }
    return s;
  }

  /** Add a key: at least 16 hex digits of a uniform hash (a member key's bits, a hash of a group id). */
  add(hexKey: string): void {
    const h = hexKey.slice(0, 16);
    if (!/^[0-9a-f]{16}$/.test(h)) throw new Error('a reach sketch takes 16 hex digits of a hash');
    if (this.sparse) {
      this.sparse.add(h);
      if (this.sparse.size > this.sparseMax) this.densify();
      return;
    }
    addDense(this.dense!, h);
  }

  /**
   * Add a key given as its first 64 hash bits (two 32-bit halves): the same
   * as `add` of their 16 hex digits, without building the string (bulk loads).
   */
  addBits(hi: number, lo: number): void {
    this.add((hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0'));
  }

  merge(other: ReachSketch): void {
    if (other.sparse) {
      for (const h of other.sparse) this.add(h);
      return;
    }
    if (this.sparse) this.densify();
    const d = this.dense!;
    const o = other.dense!;
    for (let i = 0; i < SKETCH_M; i++) if (o[i]! > d[i]!) d[i] = o[i]!;
  }

  get exact(): boolean {
    return this.sparse !== undefined;
  }

  estimate(): number {
    if (this.sparse) return this.sparse.size;
    const d = this.dense!;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < SKETCH_M; i++) {
      sum += 2 ** -d[i]!;
      if (d[i] === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / SKETCH_M);
    const raw = (alpha * SKETCH_M * SKETCH_M) / sum;
    if (raw <= 2.5 * SKETCH_M && zeros > 0) return Math.round(SKETCH_M * Math.log(SKETCH_M / zeros));
    return Math.round(raw);
  }

  /** The stored form; a sketch with more exact keys than SPARSE_MAX is stored dense. */
  toDoc(): SketchDoc {
    if (this.sparse && this.sparse.size <= SPARSE_MAX) return { sparse: Buffer.from([...this.sparse].join(''), 'hex') };
    if (this.sparse) this.densify();
    return { dense: this.dense! };
  }

  private densify(): void {
    const d = new Uint8Array(SKETCH_M);
    for (const h of this.sparse ?? []) addDense(d, h);
    this.sparse = undefined;
    this.dense = d;
  }
}

function addDense(d: Uint8Array, h16: string): void {
  const hi = Number.parseInt(h16.slice(0, 8), 16) >>> 0;
  const lo = Number.parseInt(h16.slice(8, 16), 16) >>> 0;
  const idx = hi >>> (32 - SKETCH_P);
  const restHi = (hi << SKETCH_P) >>> 0; // the 20 bits after the index, left-aligned
  const rank = restHi !== 0 ? Math.clz32(restHi) + 1 : 32 - SKETCH_P + (lo !== 0 ? Math.clz32(lo) : 32) + 1;
  if (rank > d[idx]!) d[idx] = rank;
}
