import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../../../src/config/paths.js';
import { loadScamCheck } from '../../../src/scamcheck/desk.js';
import {
  evaluate,
  evaluateRobust,
  INSTRUCTION_ENDINGS,
  parseEvalFile,
  QUESTION_ENDINGS,
  robustVariants,
  SCAMCHECK_BARS,
  toFullWidth,
  type EvalCase,
} from '../../../src/scamcheck/eval.js';

const { judge } = loadScamCheck(paths.content);
const casesOf = (name: string): EvalCase[] => {
  const file = join(paths.root, 'test', 'fixtures', 'scamcheck', name);
  return parseEvalFile(readFileSync(file, 'utf8'), file, judge);
};
// probes.jsonl: texts the engineer of the second pass wrote to test each principle (they know the rules: tuned on, like eval.jsonl);
// batch-b.jsonl and batch-d.jsonl: development batches written by people who never saw the rules (examples of the wording model)
const sets = ['eval.jsonl', 'unseen.jsonl', 'probes.jsonl', 'batch-b.jsonl', 'batch-d.jsonl'] as const;
const RANK = { low: 0, medium: 1, high: 2 } as const;

describe('the forms a resident sends a message in', () => {
  it('should make, for a text, at least 10 question endings, 5 scammer-instruction endings, a quoted form, full-width and emoji', () => {
    const v = robustVariants('有人让我下载会议软件，开屏幕共享，说能退款300元!');
    const kinds = (k: string) => v.filter((x) => x.kind === k);
    expect(QUESTION_ENDINGS.length).toBeGreaterThanOrEqual(10);
    expect(INSTRUCTION_ENDINGS.length).toBeGreaterThanOrEqual(5);
    expect(kinds('question')).toHaveLength(QUESTION_ENDINGS.length);
    expect(kinds('instruction')).toHaveLength(INSTRUCTION_ENDINGS.length);
    expect(kinds('quoted')[0]!.text).toBe('「有人让我下载会议软件，开屏幕共享，说能退款300元!」这个是真的吗');
    expect(kinds('full-width')[0]!.text).toBe('有人让我下载会议软件，开屏幕共享，说能退款３００元！');
    expect(kinds('emoji')[0]!.text).toMatch(/😱.*🙏🙏$/u);
    expect(toFullWidth('a-1 ?')).toBe('ａ－１\u3000？');
  });
});

describe.each(sets)('the scam check on %s, with what residents add', (name) => {
  const cases = casesOf(name);
  const plain = evaluate(cases, judge);
  const robust = evaluateRobust(cases, judge);

  it('should keep recall on every kind of variant within 0.02 of the plain texts', () => {
    expect(robust.recall).toBeGreaterThanOrEqual(plain.recall - 0.02);
    for (const [kind, recall] of Object.entries(robust.recallByKind)) expect(recall, kind).toBeGreaterThanOrEqual(plain.recall - 0.02);
  });

  it('should keep false alarms on the variants of normal texts within 0.02 of the plain texts', () => {
    expect(robust.falseAlarmRate).toBeLessThanOrEqual(plain.falseAlarmRate + 0.02);
  });

  it('should never let an appended question or instruction lower a text\'s risk or add a lowering context', () => {
    let checked = 0;
    for (const c of cases) {
      const a = judge.assess(c.text);
      for (const v of robustVariants(c.text, { withInstructions: c.label === 'fraud' })) {
        if (v.kind !== 'question' && v.kind !== 'instruction') continue;
        const b = judge.assess(v.text);
        expect(RANK[b.risk], v.text).toBeGreaterThanOrEqual(RANK[a.risk]);
        expect(b.lowered?.factor ?? 1, v.text).toBeGreaterThanOrEqual(a.lowered?.factor ?? 1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(cases.length * QUESTION_ENDINGS.length);
  });
});

describe('the bars with the endings, on the evaluation set', () => {
  it('should meet recall, false alarms and type accuracy on every variant', () => {
    const r = evaluateRobust(casesOf('eval.jsonl'), judge);
    expect(r.recall).toBeGreaterThanOrEqual(SCAMCHECK_BARS.recall);
    expect(r.falseAlarmRate).toBeLessThanOrEqual(SCAMCHECK_BARS.falseAlarmRate);
    expect(r.typeAccuracy).toBeGreaterThanOrEqual(SCAMCHECK_BARS.typeAccuracy);
  });
});
