import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import { loadScamCheck } from '../scamcheck/desk.js';
import { evaluate, parseEvalFile, type EvalReport } from '../scamcheck/eval.js';
import { renderScamAnswer } from '../scamcheck/answer.js';
import type { ScamAssessment } from '../scamcheck/judge.js';
import type { Segment } from '../shared/groups.js';
import type { AppContext } from './context.js';

/** The scam check as people ask it outside WeChat: one text, or a labelled file to measure it. */

/** The answer the bot would give to a text, and the judgement behind it. */
export function checkText(ctx: AppContext, text: string, segment?: Segment): { answer: string; assessment: ScamAssessment } {
  const { rules, judge } = loadScamCheck(ctx.contentDir);
  const assessment = judge.assess(text);
  return { answer: renderScamAnswer(assessment, rules, { segment }), assessment };
}

/** Judge a labelled JSONL file: precision, recall, false alarms, type accuracy, a confusion table; and type labels it does not know. */
export function evaluateFile(ctx: AppContext, file: string): { report: EvalReport; unknownTypes: string[]; typeNames: Record<string, string> } {
  const { rules, judge } = loadScamCheck(ctx.contentDir);
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, field: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  const cases = parseEvalFile(content, file, judge);
  const unknownTypes = [...new Set(cases.flatMap((x) => (x.unknownType ? [x.unknownType] : [])))];
  return { report: evaluate(cases, judge), unknownTypes, typeNames: rules.typeNames };
}
