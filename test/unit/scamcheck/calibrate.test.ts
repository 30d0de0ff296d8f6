import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../../../src/config/paths.js';
import { loadScamCheck } from '../../../src/scamcheck/desk.js';
import { bestThreshold, calibrate, chooseWeights, costOf, foldJudges, foldOf, outOfFoldQuality, ratesAt, scoreOf, type FoldReading } from '../../../src/scamcheck/calibrate.js';
import { evaluate, evaluateRobust, parseEvalFile, SCAMCHECK_BARS } from '../../../src/scamcheck/eval.js';

const { rules, judge } = loadScamCheck(paths.content);
const casesOf = (name: string) => {
  const file = join(paths.root, 'test', 'fixtures', 'scamcheck', name);
  return parseEvalFile(readFileSync(file, 'utf8'), file, judge);
};
const textsOf = (name: string): string[] =>
  readFileSync(join(paths.root, 'test', 'fixtures', 'scamcheck', name), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text);

const reading = (fraud: boolean, wording: number, ruleScore = 0, factor = 1): FoldReading => ({ text: `${fraud}${wording}${ruleScore}${factor}`, fraud, wording, ruleScore, factor, asks: true });

describe('the calibration of the score', () => {
  it('should cost a threshold by the larger share of the two bars it uses, and put it halfway between two scores', () => {
    expect(costOf({ recall: 1, falseAlarmRate: 0 })).toBe(0);
    expect(costOf({ recall: 0.96, falseAlarmRate: 0.01 })).toBeCloseTo(0.5);
    expect(costOf({ recall: 1, falseAlarmRate: 0.04 })).toBeCloseTo(1);
    const readings = [reading(false, -3), reading(false, -1), reading(true, 1), reading(true, 2)];
    const t = bestThreshold(readings, (r) => r.wording);
    expect(t).toBe(0);
    expect(ratesAt(readings, (r) => r.wording, t)).toEqual({ recall: 1, falseAlarmRate: 0 });
  });

  it('should score a reading as the judge does: wording, the capped rules and the log of the lowering', () => {
    expect(scoreOf(reading(true, 1, 30, 0.5), { rules: 0.1, rulesCap: 20, lowering: 2 })).toBeCloseTo(1 + 2 + 2 * Math.log(0.5));
  });

  it('should prefer the weights whose threshold carries over from one batch to the other', () => {
    // the wording alone separates batch 1 but not batch 2; the rules separate both
    const one = [reading(false, -2, 0), reading(false, -1, 1), reading(true, 1, 10), reading(true, 2, 12)];
    const two = [reading(false, 1.5, 0), reading(false, 2, 1), reading(true, 0.5, 10), reading(true, 1, 12)];
    const c = chooseWeights([one, two], { rules: [0, 0.5], rulesCap: [20], lowering: [1] });
    expect(c.weights.rules).toBe(0.5);
    expect(c.crossCost).toBe(0);
    for (const batch of [one, two]) expect(ratesAt(batch, (r) => scoreOf(r, c.weights), c.medium)).toEqual({ recall: 1, falseAlarmRate: 0 });
  });

  it('should split the examples into ten folds of about a tenth each', () => {
    const sizes = new Array<number>(10).fill(0);
    for (const e of rules.examples) sizes[foldOf(e.text, 10)]!++;
    for (const n of sizes) {
      expect(n).toBeGreaterThan(rules.examples.length * 0.07);
      expect(n).toBeLessThan(rules.examples.length * 0.13);
    }
  });

  it('should find the weights and thresholds of rules.yaml by cross-validation on the development batches B and D', () => {
    const c = calibrate(rules, [textsOf('batch-b.jsonl'), textsOf('batch-d.jsonl')]);
    expect(c.weights).toEqual({ rules: rules.statistical.rules, rulesCap: rules.statistical.rulesCap, lowering: rules.statistical.lowering });
    expect(c.medium).toBe(rules.thresholds.medium);
    expect(c.high).toBe(rules.thresholds.high);
    for (const b of c.batches) {
      expect(b.recall).toBeGreaterThanOrEqual(0.92);
      expect(b.falseAlarmRate).toBeLessThanOrEqual(0.04);
    }
  }, 60_000);

  it('should train on no text of the sets kept out of sight (unseen, blind, held-out batch C)', () => {
    const examples = new Set(rules.examples.map((e) => e.text));
    for (const name of ['unseen.jsonl', 'blind.jsonl', 'held-out.jsonl']) {
      const texts = textsOf(name);
      expect(texts.length).toBeGreaterThan(0);
      // counted, not listed: a failure must not print the texts kept out of sight
      expect(texts.filter((t) => examples.has(t)).length, name).toBe(0);
    }
  });

  describe('out of fold', () => {
    const judges = foldJudges(rules);

    it('should meet the bars on development batch D, plain and with the endings, read by judges that never learned its texts', () => {
      const q = outOfFoldQuality(casesOf('batch-d.jsonl'), rules, judge, judges);
      expect(q.outOfFold).toBe(200);
      expect(q.recall).toBeGreaterThanOrEqual(SCAMCHECK_BARS.recall);
      expect(q.falseAlarmRate).toBeLessThanOrEqual(SCAMCHECK_BARS.falseAlarmRate);
      expect(q.typeAccuracy).toBeGreaterThanOrEqual(SCAMCHECK_BARS.typeAccuracy);
      expect(q.robustRecall).toBeGreaterThanOrEqual(SCAMCHECK_BARS.recall);
      expect(q.robustFalseAlarmRate).toBeLessThanOrEqual(SCAMCHECK_BARS.falseAlarmRate);
      expect(q.robustTypeAccuracy).toBeGreaterThanOrEqual(SCAMCHECK_BARS.typeAccuracy);
    }, 60_000);

    it('should read a set that holds no example with the judge itself', () => {
      const cases = casesOf('unseen.jsonl');
      const q = outOfFoldQuality(cases, rules, judge, judges);
      const plain = evaluate(cases, judge);
      const robust = evaluateRobust(cases, judge);
      expect(q.outOfFold).toBe(0);
      expect([q.recall, q.falseAlarmRate, q.typeAccuracy]).toEqual([plain.recall, plain.falseAlarmRate, plain.typeAccuracy].map((x) => Math.round(x * 1000) / 1000));
      expect([q.robustRecall, q.robustFalseAlarmRate, q.robustTypeAccuracy]).toEqual([robust.recall, robust.falseAlarmRate, robust.typeAccuracy].map((x) => Math.round(x * 1000) / 1000));
    });
  });
});
