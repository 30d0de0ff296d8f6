import { ConfigError, type ConfigProblem } from '../config/errors.js';
import { parseJsonLines } from '../config/json-lines.js';
import type { ScamJudge } from './judge.js';

/** One labelled text of an evaluation file. */
export interface EvalCase {
  text: string;
  label: 'fraud' | 'normal';
  /** Type id, resolved from the file's type label; undefined for normal texts or an unlabelled type. */
  type: string | undefined;
  /** A type label that names none of the known types (left out of type accuracy, reported). */
  unknownType?: string;
  line: number;
}

/**
 * Parse a JSONL evaluation file: one `{ "text", "label": "fraud"|"normal",
 * "type": <type or null> }` a line; other fields are ignored. Type labels may
 * be ids, official names or aliases. Problems name the file and line.
 */
export function parseEvalFile(content: string, file: string, judge: ScamJudge): EvalCase[] {
  const problems: ConfigProblem[] = [];
  const cases: EvalCase[] = [];
  for (const { line, value } of parseJsonLines(content, file, problems)) {
    const o = value as { text?: unknown; label?: unknown; type?: unknown };
    if (typeof o.text !== 'string' || !o.text) {
      problems.push({ file, line, field: 'text', message: 'must be a non-empty string' });
      continue;
    }
    if (o.label !== 'fraud' && o.label !== 'normal') {
      problems.push({ file, line, field: 'label', message: `must be "fraud" or "normal" (got ${JSON.stringify(o.label)})` });
      continue;
    }
    let type: string | undefined;
    let unknownType: string | undefined;
    if (typeof o.type === 'string' && o.type) {
      type = judge.typeOf(o.type);
      if (!type) unknownType = o.type;
    } else if (o.type !== null && o.type !== undefined) {
      problems.push({ file, line, field: 'type', message: 'must be a type name or null' });
    }
    cases.push({ text: o.text, label: o.label, type, line, ...(unknownType ? { unknownType } : {}) });
  }
  if (problems.length) throw new ConfigError(problems);
  return cases;
}

export interface EvalReport {
  size: number;
  fraud: number;
  normal: number;
  truePositives: number;
  falsePositives: number;
  precision: number;
  recall: number;
  falseAlarmRate: number;
  /** Share of fraud texts with a labelled type whose most likely type is right. */
  typeAccuracy: number;
  typed: number;
  /** confusion[actual][predicted] over fraud texts with a labelled type. */
  confusion: Record<string, Record<string, number>>;
  misses: { line: number; text: string; score: number }[];
  falseAlarms: { line: number; text: string; score: number; type: string }[];
  wrongType: { line: number; text: string; expected: string; got: string }[];
}

/** Judge every case; fraud = risk 高 or 中. Pure. */
export function evaluate(cases: readonly EvalCase[], judge: ScamJudge): EvalReport {
  let tp = 0;
  let fp = 0;
  let typed = 0;
  let typeRight = 0;
  const confusion: EvalReport['confusion'] = {};
  const r: Pick<EvalReport, 'misses' | 'falseAlarms' | 'wrongType'> = { misses: [], falseAlarms: [], wrongType: [] };
  for (const c of cases) {
    const a = judge.assess(c.text);
    const flagged = a.risk !== 'low';
    if (c.label === 'fraud') {
      if (flagged) tp++;
      else r.misses.push({ line: c.line, text: c.text, score: a.score });
      if (c.type) {
        typed++;
        const row = (confusion[c.type] ??= {});
        row[a.type] = (row[a.type] ?? 0) + 1;
        if (a.type === c.type) typeRight++;
        else r.wrongType.push({ line: c.line, text: c.text, expected: c.type, got: a.type });
      }
    } else if (flagged) {
      fp++;
      r.falseAlarms.push({ line: c.line, text: c.text, score: a.score, type: a.type });
    }
  }
  const fraud = cases.filter((c) => c.label === 'fraud').length;
  const normal = cases.length - fraud;
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  return {
    size: cases.length,
    fraud,
    normal,
    truePositives: tp,
    falsePositives: fp,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, fraud),
    falseAlarmRate: ratio(fp, normal),
    typeAccuracy: ratio(typeRight, typed),
    typed,
    confusion,
    ...r,
  };
}
