/**
 * How the weights and thresholds of the scam check's score (rules.yaml
 * `statistical` and `thresholds`) are chosen: by cross-validation on the
 * development data, never on a held-out set.
 *
 * 1. Every example of content/scamcheck/examples.jsonl gets an
 *    out-of-fold reading: a judge whose wording model was trained on the
 *    other k − 1 folds judges it (`outOfFold`). Folds go by a hash of the
 *    text, so they do not depend on the order of the file.
 * 2. The weights are fitted only on the calibration batches: texts written
 *    by people who never saw the rules and on which no rule was ever tuned
 *    (batches B and D). On the sets the rules were tuned on, the rules look
 *    better than they are and would be given too much weight.
 * 3. For each candidate of the grid, the threshold is the one that
 *    costs least on one batch, and
 *    is scored on the other batch: the candidate that carries over best
 *    between two writers wins (`chooseWeights`). Its threshold is then fitted
 *    on both batches together. The cost of a threshold is the larger share
 *    of the two bars' budgets it uses (`costOf`), so both keep a margin.
 *    高's threshold is the lowest at which at most 1 % of the calibration
 *    batches' normal texts that ask something reach it (never below 中's).
 *
 * Run it with `npm run bench:scamcheck -- --calibrate` (prints the choice and
 * the figures per batch; copy them into rules.yaml).
 */
import { compileScamJudge, type ScamJudge } from './judge.js';
import type { ScamRules } from './rules.js';
import { evaluate, evaluateRobust, INSTRUCTION_ENDINGS, QUESTION_ENDINGS, SCAMCHECK_BARS, type EvalCase } from './eval.js';

/** One example read out of fold: the parts of its score (ScamAssessment.evidence) and its label. */
export interface FoldReading {
  text: string;
  fraud: boolean;
  wording: number;
  ruleScore: number;
  factor: number;
  asks: boolean;
}

/** Fold of a text: a hash of it, so folds do not depend on the file's order. */
export function foldOf(text: string, k: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % k;
}

/** Every example judged by a judge trained without its fold. */
export function outOfFold(rules: ScamRules, k = 10): FoldReading[] {
  const out: FoldReading[] = [];
  for (let f = 0; f < k; f++) {
    const judge = compileScamJudge({ ...rules, examples: rules.examples.filter((e) => foldOf(e.text, k) !== f) });
    for (const e of rules.examples) {
      if (foldOf(e.text, k) !== f) continue;
      const a = judge.assess(e.text);
      out.push({ text: e.text, fraud: e.label === 'fraud', ...a.evidence, asks: a.asks });
    }
  }
  return out;
}

export interface Weights {
  rules: number;
  rulesCap: number;
  lowering: number;
}

export const WEIGHT_GRID: { rules: readonly number[]; rulesCap: readonly number[]; lowering: readonly number[] } = {
  rules: [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5],
  rulesCap: [6, 8, 12, 20],
  lowering: [0, 0.5, 1, 1.5, 2],
};

/** The score of a reading under some weights (as the judge computes it). */
export function scoreOf(r: FoldReading, w: Weights): number {
  return r.wording + w.rules * Math.min(r.ruleScore, w.rulesCap) + w.lowering * Math.log(r.factor);
}

/** Recall and false-alarm rate of `score ≥ threshold`. */
export function ratesAt(readings: readonly FoldReading[], score: (r: FoldReading) => number, threshold: number): { recall: number; falseAlarmRate: number } {
  let f = 0;
  let tp = 0;
  let n = 0;
  let fp = 0;
  for (const r of readings) {
    const hit = score(r) >= threshold;
    if (r.fraud) {
      f++;
      if (hit) tp++;
    } else {
      n++;
      if (hit) fp++;
    }
  }
  return { recall: f ? tp / f : 0, falseAlarmRate: n ? fp / n : 0 };
}

/**
 * What a threshold costs: the larger of the shares of the two bars' budgets it
 * uses — missed scams out of 1 − 0.92, false alarms out of 0.04 — so the
 * chosen threshold leaves both bars the same margin.
 */
export function costOf(r: { recall: number; falseAlarmRate: number }): number {
  return Math.max((1 - r.recall) / (1 - SCAMCHECK_BARS.recall), r.falseAlarmRate / SCAMCHECK_BARS.falseAlarmRate);
}

/**
 * The threshold with the least cost; where several splits cost the same,
 * the middle of them (halfway between two scores, never on one).
 */
export function bestThreshold(readings: readonly FoldReading[], score: (r: FoldReading) => number): number {
  const values = [...new Set(readings.map(score))].sort((a, b) => a - b);
  let bestCost = Infinity;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i <= values.length; i++) {
    // the split just below values[i] (above every score when i = values.length)
    const t = i === 0 ? values[0]! - 0.5 : i === values.length ? values[i - 1]! + 0.5 : (values[i - 1]! + values[i]!) / 2;
    const c = Math.round(costOf(ratesAt(readings, score, t)) * 1e9) / 1e9;
    if (c < bestCost) [bestCost, lo, hi] = [c, t, t];
    else if (c === bestCost) hi = t;
  }
  return Math.round(((lo + hi) / 2) * 100) / 100;
}

export interface Calibration {
  weights: Weights;
  /** 中 (flagged) from here */
  medium: number;
  /** 高 from here, for a text that asks something */
  high: number;
  /** the cost of the threshold fitted on one batch on the other, summed both ways */
  crossCost: number;
  /** the cost of `medium` on all the calibration batches together */
  pooledCost: number;
}

/**
 * Choose the weights whose threshold carries over best from one calibration
 * batch to the other, then fit its thresholds on all the calibration batches.
 */
export function chooseWeights(batches: readonly (readonly FoldReading[])[], grid = WEIGHT_GRID): Calibration {
  let best: Calibration | undefined;
  for (const rules of grid.rules) {
    for (const rulesCap of grid.rulesCap) {
      if (rules === 0 && rulesCap !== grid.rulesCap[0]) continue;
      for (const lowering of grid.lowering) {
        const w = { rules, rulesCap, lowering };
        const score = (r: FoldReading): number => scoreOf(r, w);
        let crossCost = 0;
        for (let i = 0; i < batches.length; i++) {
          const t = bestThreshold(batches[i]!, score);
          for (let j = 0; j < batches.length; j++) if (j !== i) crossCost += costOf(ratesAt(batches[j]!, score, t));
        }
        crossCost = Math.round(crossCost * 1e6) / 1e6;
        if (best && crossCost > best.crossCost) continue;
        const all = batches.flat();
        const medium = bestThreshold(all, score);
        // on a tie, the least cost on all the batches together; then the lighter weight on the rules (earlier in the grid)
        const pooledCost = Math.round(costOf(ratesAt(all, score, medium)) * 1e6) / 1e6;
        if (best && crossCost === best.crossCost && pooledCost >= best.pooledCost) continue;
        best = { weights: w, medium, high: Math.max(medium, highThreshold(all, score)), crossCost, pooledCost };
      }
    }
  }
  return best!;
}

/** The lowest score at which at most 1 % of the normal texts that ask something reach it. */
function highThreshold(readings: readonly FoldReading[], score: (r: FoldReading) => number): number {
  const normal = readings.filter((r) => !r.fraud && r.asks).map(score).sort((a, b) => b - a);
  const allowed = Math.floor(0.01 * readings.filter((r) => !r.fraud).length);
  const t = normal[allowed];
  return t === undefined ? 0 : Math.round((t + 0.005) * 100) / 100;
}

/**
 * The calibration of the score on the development batches (each a list of
 * texts that are all examples of content/scamcheck/examples.jsonl, so that
 * each is read out of fold): the weights and thresholds to put in rules.yaml,
 * and each batch's out-of-fold recall and false alarms under them.
 */
export function calibrate(
  rules: ScamRules,
  batches: readonly (readonly string[])[],
  k = 10,
): Calibration & { batches: { size: number; recall: number; falseAlarmRate: number }[] } {
  const byText = new Map(outOfFold(rules, k).map((r) => [r.text, r]));
  const readings = batches.map((texts) =>
    texts.map((t) => {
      const r = byText.get(t);
      if (!r) throw new Error(`not an example of examples.jsonl, so it cannot be read out of fold: ${t.slice(0, 40)}`);
      return r;
    }),
  );
  const c = chooseWeights(readings);
  const score = (r: FoldReading): number => scoreOf(r, c.weights);
  return {
    ...c,
    batches: readings.map((b) => {
      const q = ratesAt(b, score, c.medium);
      return { size: b.length, recall: Math.round(q.recall * 1000) / 1000, falseAlarmRate: Math.round(q.falseAlarmRate * 1000) / 1000 };
    }),
  };
}

/** The judges of cross-validation: for fold f, one whose wording model was trained without the examples of fold f. */
export function foldJudges(rules: ScamRules, k = 10): ScamJudge[] {
  return Array.from({ length: k }, (_, f) => compileScamJudge({ ...rules, examples: rules.examples.filter((e) => foldOf(e.text, k) !== f) }));
}

export interface OutOfFoldQuality {
  size: number;
  recall: number;
  falseAlarmRate: number;
  typeAccuracy: number;
  robustRecall: number;
  robustFalseAlarmRate: number;
  robustTypeAccuracy: number;
  /** how many of the cases are examples of the wording model (read out of fold); the others are read by `judge` */
  outOfFold: number;
}

/**
 * The quality of a set of development cases as if none of them had been an
 * example: each case that is an example of examples.jsonl (and its variants
 * with the endings) is judged by the judge trained without its fold; the
 * others by `judge`. This is what the figures of a set the wording model
 * learned from mean.
 */
export function outOfFoldQuality(cases: readonly EvalCase[], rules: ScamRules, judge: ScamJudge, judges: readonly ScamJudge[]): OutOfFoldQuality {
  const examples = new Set(rules.examples.map((e) => e.text));
  const groups = new Map<number, EvalCase[]>();
  for (const c of cases) {
    const g = examples.has(c.text) ? foldOf(c.text, judges.length) : -1;
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  // sums of each ratio times what it is a share of, over the groups
  const t = { fraud: 0, tp: 0, normal: 0, fp: 0, typed: 0, typeRight: 0, rFraud: 0, rTp: 0, rNormal: 0, rFp: 0, rTyped: 0, rTypeRight: 0 };
  const fraudVariants = QUESTION_ENDINGS.length + INSTRUCTION_ENDINGS.length + 3;
  const normalVariants = QUESTION_ENDINGS.length + 3;
  for (const [g, group] of groups) {
    const j = g < 0 ? judge : judges[g]!;
    const q = evaluate(group, j);
    const r = evaluateRobust(group, j);
    const typed = group.filter((c) => c.label === 'fraud' && c.type).length;
    t.fraud += q.fraud;
    t.tp += q.truePositives;
    t.normal += q.normal;
    t.fp += q.falsePositives;
    t.typed += typed;
    t.typeRight += q.typeAccuracy * typed;
    t.rFraud += q.fraud * fraudVariants;
    t.rTp += r.recall * q.fraud * fraudVariants;
    t.rNormal += q.normal * normalVariants;
    t.rFp += r.falseAlarmRate * q.normal * normalVariants;
    t.rTyped += typed * fraudVariants;
    t.rTypeRight += r.typeAccuracy * typed * fraudVariants;
  }
  const r3 = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000);
  return {
    size: cases.length,
    recall: r3(t.tp, t.fraud),
    falseAlarmRate: r3(t.fp, t.normal),
    typeAccuracy: r3(t.typeRight, t.typed),
    robustRecall: r3(t.rTp, t.rFraud),
    robustFalseAlarmRate: r3(t.rFp, t.rNormal),
    robustTypeAccuracy: r3(t.rTypeRight, t.rTyped),
    outOfFold: cases.filter((c) => examples.has(c.text)).length,
  };
}
