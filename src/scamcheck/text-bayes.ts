/**
 * A small multinomial naive Bayes over character uni- and bigrams, trained
 * at start-up on the reviewed examples the project ships
 * (content/scamcheck/examples.jsonl). It gives the rule layer a second
 * opinion on texts worded in ways no rule lists. Pure; no downloads.
 *
 * Several models (fraud or not; which type) share one {@link FeatureSpace},
 * so a text's features are looked up once and scored under each model from
 * a dense array: the scam check judges tens of thousands of texts a second
 * on one core.
 */
export interface TextBayes {
  readonly classes: readonly string[];
  /** Log-probability of a text (its {@link FeatureSpace.featuresOf}) under each class (same order as `classes`), priors included. */
  logScores(features: TextFeatures): Float64Array;
}

/** A text's features: the dense ids of those seen in training, and how many there were in all. */
export interface TextFeatures {
  readonly known: Int32Array;
  readonly total: number;
}

/** Every character and character pair of the training texts, numbered. */
export class FeatureSpace {
  /** character code → its number among the characters seen (−1: never seen); a character's unigram feature id is that number */
  private readonly charIndex = new Int32Array(65536).fill(-1);
  private chars = 0;
  /** (first character's number × CHAR_SLOTS + second's) → bigram feature id, as an open-addressing table in typed arrays (a Map lookup per character pair was the slowest part) */
  private readonly pairKeys: Int32Array;
  private readonly pairIds: Int32Array;
  private readonly mask: number;
  private count = 0;

  constructor(texts: readonly string[]) {
    // characters first, so their numbers are also their unigram feature ids
    for (const t of texts) {
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (this.charIndex[c] === -1) this.charIndex[c] = this.chars++;
      }
    }
    this.count = this.chars;
    const pairs = new Map<number, number>();
    for (const t of texts) {
      for (let i = 0; i + 1 < t.length; i++) {
        const key = this.charIndex[t.charCodeAt(i)]! * CHAR_SLOTS + this.charIndex[t.charCodeAt(i + 1)]!;
        if (!pairs.has(key)) pairs.set(key, this.count++);
      }
    }
    let size = 1024;
    while (size < pairs.size * 4) size *= 2;
    this.mask = size - 1;
    this.pairKeys = new Int32Array(size).fill(-1);
    this.pairIds = new Int32Array(size);
    for (const [key, id] of pairs) {
      let h = hashOf(key) & this.mask;
      while (this.pairKeys[h] !== -1) h = (h + 1) & this.mask;
      this.pairKeys[h] = key;
      this.pairIds[h] = id;
    }
  }

  /** The bigram feature id of a pair key, or −1. */
  private pairId(key: number): number {
    const keys = this.pairKeys;
    for (let h = hashOf(key) & this.mask; ; h = (h + 1) & this.mask) {
      const k = keys[h]!;
      if (k === key) return this.pairIds[h]!;
      if (k === -1) return -1;
    }
  }

  /** How many features the space numbers. */
  get size(): number {
    return this.count;
  }

  /** The character uni- and bigrams of a text: compute once, score under several models. */
  featuresOf(text: string): TextFeatures {
    const n = text.length;
    const known = new Int32Array(Math.max(0, 2 * n - 1));
    let k = 0;
    let prev = -1;
    for (let i = 0; i < n; i++) {
      const ci = this.charIndex[text.charCodeAt(i)]!;
      if (ci >= 0) {
        known[k++] = ci;
        if (prev >= 0) {
          const b = this.pairId(prev * CHAR_SLOTS + ci);
          if (b >= 0) known[k++] = b;
        }
      }
      prev = ci;
    }
    return { known: known.subarray(0, k), total: n > 0 ? 2 * n - 1 : 0 };
  }
}

/** More than the distinct characters of any training set (keeps pair keys small integers). */
const CHAR_SLOTS = 1 << 15;

/** Multiplicative hash of a pair key (< 2^30). */
function hashOf(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 12;
}

export function trainTextBayes(examples: readonly { text: string; label: string }[], space: FeatureSpace, alpha = 0.5): TextBayes {
  const classes = [...new Set(examples.map((e) => e.label))].sort();
  const k = classes.length;
  const idx = new Map(classes.map((c, i) => [c, i]));
  const counts = new Float64Array(space.size * k);
  const seen = new Uint8Array(space.size);
  const totals = new Float64Array(k);
  const docs = new Float64Array(k);
  for (const e of examples) {
    const c = idx.get(e.label)!;
    docs[c]!++;
    const f = space.featuresOf(e.text);
    for (const id of f.known) {
      counts[id * k + c]!++;
      seen[id] = 1;
    }
    totals[c]! += f.total;
  }
  const vocab = seen.reduce((a, b) => a + b, 0) + 1;
  const unseen = new Float64Array(k);
  const prior = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    unseen[c] = Math.log(alpha / (totals[c]! + alpha * vocab));
    prior[c] = Math.log(docs[c]! / examples.length);
  }
  // per feature: log P(f|c) minus the unseen value, so features this model never saw cost nothing
  const weights = new Float64Array(space.size * k);
  for (let id = 0; id < space.size; id++) {
    if (!seen[id]) continue;
    for (let c = 0; c < k; c++) weights[id * k + c] = Math.log((counts[id * k + c]! + alpha) / (totals[c]! + alpha * vocab)) - unseen[c]!;
  }
  return {
    classes,
    logScores({ known, total }) {
      const out = Float64Array.from(prior);
      for (let i = 0; i < known.length; i++) {
        const base = known[i]! * k;
        for (let c = 0; c < k; c++) out[c]! += weights[base + c]!;
      }
      for (let c = 0; c < k; c++) out[c]! += total * unseen[c]!;
      return out;
    },
  };
}

/** Softmax of log scores: posterior probabilities. */
export function posteriors(logScores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of logScores) if (v > max) max = v;
  const out = new Float64Array(logScores.length);
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += out[i] = Math.exp(logScores[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/**
 * The wording model: logistic regression over the hashed character 1-, 2-
 * and 3-grams of a text, trained at start-up on the reviewed examples. It
 * answers "does this read like a scam?" with a log-odds (0 = undecided), and
 * it generalises to ways of writing nobody listed as a rule: on the batches
 * of texts written by people who never saw the rules, it separates scams from
 * harmless messages far better than the rules do (BENCHMARKS.md). Training is
 * deterministic (fixed order of passes, AdaGrad), so the same examples give
 * the same model.
 */
export interface TextLogit {
  /** Log-odds that the text is a scam (the text in the form rules are matched in: {@link FeatureSpace} texts). */
  logit(text: string): number;
}

export interface TextLogitOptions {
  /** Passes over the examples. @defaultValue 10 */
  epochs?: number;
  /** L2 penalty per update. @defaultValue 1e-4 */
  l2?: number;
  /** AdaGrad learning rate. @defaultValue 0.3 */
  rate?: number;
}

/** Hashed feature slots (a power of two): collisions among the ~10^5 n-grams of the examples are rare and harmless. */
const LOGIT_SLOTS = 1 << 18;
const LOGIT_MASK = LOGIT_SLOTS - 1;
/** What starts every text, so the first characters have features of their own. */
const TEXT_START = 0x5e;
/** What a feature's hash is mixed with by its length (1-, 2-, 3-gram). */
const UNI = Math.imul(1, 0x9e3779b1);
const BI = Math.imul(2, 0x9e3779b1);
const TRI = Math.imul(3, 0x9e3779b1);

/**
 * The hashed 1-, 2- and 3-grams of a text (with a start mark), into `out`;
 * returns how many. `out` must hold 3 × (length + 1).
 */
function logitFeatures(text: string, out: Int32Array): number {
  const n = text.length + 1;
  const at = (i: number): number => (i === 0 ? TEXT_START : text.charCodeAt(i - 1));
  let k = 0;
  for (let i = 0; i < n; i++) {
    let h = 0x811c9dc5;
    for (let len = 1; len <= 3 && i + len <= n; len++) {
      h = Math.imul(h ^ at(i + len - 1), 16777619);
      if (len === 1 && i === 0) continue;
      out[k++] = (h ^ Math.imul(len, 0x9e3779b1)) & LOGIT_MASK;
    }
  }
  return k;
}

export function trainTextLogit(examples: readonly { text: string; label: string }[], positive: string, o: TextLogitOptions = {}): TextLogit {
  const epochs = o.epochs ?? 10;
  const l2 = o.l2 ?? 1e-4;
  const rate = o.rate ?? 0.3;
  const w = new Float32Array(LOGIT_SLOTS);
  const g2 = new Float32Array(LOGIT_SLOTS).fill(1e-8);
  let bias = 0;
  let gBias = 1e-8;
  const feats = examples.map((e) => {
    const buf = new Int32Array(3 * (e.text.length + 1));
    return buf.slice(0, logitFeatures(e.text, buf));
  });
  const y = examples.map((e) => (e.label === positive ? 1 : 0));
  const order = examples.map((_, i) => i);
  let seed = 1;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let e = 0; e < epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const x = feats[i]!;
      const scale = 1 / Math.sqrt(x.length || 1);
      let z = bias;
      for (let q = 0; q < x.length; q++) z += w[x[q]!]! * scale;
      const g = 1 / (1 + Math.exp(-z)) - y[i]!;
      for (let q = 0; q < x.length; q++) {
        const f = x[q]!;
        const gg = g * scale + l2 * w[f]!;
        g2[f]! += gg * gg;
        w[f]! -= (rate * gg) / Math.sqrt(g2[f]!);
      }
      gBias += g * g;
      bias -= (rate * g) / Math.sqrt(gBias);
    }
  }
  return {
    // the features of logitFeatures, in the same order, summed as they are hashed (no buffer)
    logit(text) {
      const n = text.length + 1;
      let z = 0;
      let k = 0;
      let c0 = TEXT_START;
      let c1 = n > 1 ? text.charCodeAt(0) : 0;
      for (let i = 0; i < n; i++) {
        const c2 = i + 2 < n ? text.charCodeAt(i + 1) : 0;
        let h = Math.imul(0x811c9dc5 ^ c0, 16777619);
        if (i > 0) {
          z += w[(h ^ UNI) & LOGIT_MASK]!;
          k++;
        }
        if (i + 2 <= n) {
          h = Math.imul(h ^ c1, 16777619);
          z += w[(h ^ BI) & LOGIT_MASK]!;
          k++;
          if (i + 3 <= n) {
            h = Math.imul(h ^ c2, 16777619);
            z += w[(h ^ TRI) & LOGIT_MASK]!;
            k++;
          }
        }
        c0 = c1;
        c1 = c2;
      }
      return bias + z / Math.sqrt(k || 1);
    },
  };
}
