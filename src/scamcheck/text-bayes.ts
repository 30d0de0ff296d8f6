/**
 * A small multinomial naive Bayes over character uni- and bigrams, trained
 * at start-up on the reviewed examples the project ships
 * (content/scamcheck/examples.jsonl). It gives the rule layer a second
 * opinion on texts worded in ways no rule lists. Pure; no downloads.
 */
export interface TextBayes {
  readonly classes: readonly string[];
  /** Log-probability of a text (its {@link textFeatures}) under each class (same order as `classes`), priors included. */
  logScores(features: readonly Feature[]): Float64Array;
}

/** A character (its UTF-16 code) or a pair of characters, as one number. */
export type Feature = number;

/**
 * The character uni- and bigrams of a text as numbers: compute once, score
 * under several models. A number per feature keeps the scoring free of
 * substring allocation (the scam check judges tens of thousands of texts a
 * second on one core).
 */
export function textFeatures(text: string): Feature[] {
  const out: Feature[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    out.push(c);
    if (i + 1 < n) out.push(BIGRAM + c * 65536 + text.charCodeAt(i + 1));
  }
  return out;
}

const BIGRAM = 65536;

export function trainTextBayes(examples: readonly { text: string; label: string }[], alpha = 0.5): TextBayes {
  const classes = [...new Set(examples.map((e) => e.label))].sort();
  const k = classes.length;
  const idx = new Map(classes.map((c, i) => [c, i]));
  const counts = new Map<Feature, Float64Array>();
  const totals = new Float64Array(k);
  const docs = new Float64Array(k);
  for (const e of examples) {
    const c = idx.get(e.label)!;
    docs[c]!++;
    for (const f of textFeatures(e.text)) {
      let row = counts.get(f);
      if (!row) counts.set(f, (row = new Float64Array(k)));
      row[c]!++;
      totals[c]!++;
    }
  }
  const vocab = counts.size + 1;
  const unseen = new Float64Array(k);
  const prior = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    unseen[c] = Math.log(alpha / (totals[c]! + alpha * vocab));
    prior[c] = Math.log(docs[c]! / examples.length);
  }
  // per feature: log P(f|c) minus the unseen value, so unknown features cost nothing to skip;
  // bigrams under their first character, so every lookup has a small integer key
  const uni = new Map<number, Float64Array>();
  const bi = new Map<number, Map<number, Float64Array>>();
  for (const [f, row] of counts) {
    const w = new Float64Array(k);
    for (let c = 0; c < k; c++) w[c] = Math.log((row[c]! + alpha) / (totals[c]! + alpha * vocab)) - unseen[c]!;
    if (f < BIGRAM) uni.set(f, w);
    else {
      const first = Math.floor((f - BIGRAM) / 65536);
      let m = bi.get(first);
      if (!m) bi.set(first, (m = new Map()));
      m.set((f - BIGRAM) % 65536, w);
    }
  }
  return {
    classes,
    logScores(features) {
      const out = Float64Array.from(prior);
      for (const f of features) {
        let w: Float64Array | undefined;
        if (f < BIGRAM) w = uni.get(f);
        else {
          const g = f - BIGRAM;
          w = bi.get(Math.floor(g / 65536))?.get(g % 65536);
        }
        if (w) for (let c = 0; c < k; c++) out[c]! += w[c]!;
      }
      for (let c = 0; c < k; c++) out[c]! += features.length * unseen[c]!;
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
