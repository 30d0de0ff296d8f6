/**
 * A small multinomial naive Bayes over character uni- and bigrams, trained
 * at start-up on the reviewed examples the project ships
 * (content/scamcheck/examples.jsonl). It gives the rule layer a second
 * opinion on texts worded in ways no rule lists. Pure; no downloads.
 */
export interface TextBayes {
  readonly classes: readonly string[];
  /** Log-probability of a text (its {@link textFeatures}) under each class (same order as `classes`), priors included. */
  logScores(features: readonly string[]): Float64Array;
}

/** The character uni- and bigrams of a text: compute once, score under several models. */
export function textFeatures(text: string): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    out.push(chars[i]!);
    if (i + 1 < chars.length) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

export function trainTextBayes(examples: readonly { text: string; label: string }[], alpha = 0.5): TextBayes {
  const classes = [...new Set(examples.map((e) => e.label))].sort();
  const k = classes.length;
  const idx = new Map(classes.map((c, i) => [c, i]));
  const counts = new Map<string, Float64Array>();
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
  // per feature: log P(f|c) minus the unseen value, so unknown features cost nothing to skip
  const weights = new Map<string, Float64Array>();
  for (const [f, row] of counts) {
    const w = new Float64Array(k);
    for (let c = 0; c < k; c++) w[c] = Math.log((row[c]! + alpha) / (totals[c]! + alpha * vocab)) - unseen[c]!;
    weights.set(f, w);
  }
  return {
    classes,
    logScores(features) {
      const out = Float64Array.from(prior);
      for (const f of features) {
        const w = weights.get(f);
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
