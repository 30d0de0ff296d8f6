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

/**
 * The bars the scam check must meet on every evaluation set, plain and with
 * the endings of {@link robustVariants} (issue #25).
 */
export const SCAMCHECK_BARS = { recall: 0.92, falseAlarmRate: 0.04, typeAccuracy: 0.85 } as const;

/** What a worried resident adds after pasting a message (issue #25): never a reason to lower the risk. */
export const QUESTION_ENDINGS: readonly string[] = [
  '，这是不是骗子',
  '是骗子吗',
  '是不是诈骗啊',
  '这是真的吗？',
  '，靠谱吗',
  '。能信吗？',
  '，我该怎么办啊',
  '，大家帮我看看',
  '，要不要照做？',
  '真的假的？',
  '，有人遇到过吗',
  '这个是不是骗局啊??',
];

/** What the scammer told the resident, added by the resident: more reason to warn, never less. */
export const INSTRUCTION_ENDINGS: readonly string[] = [
  '，对方还说千万别告诉家里人',
  '，说一定要先交保证金',
  '，他说今天之内必须办好',
  '，还让我别挂电话',
  '，对方说不要跟银行的人讲',
  '，他说别人问就说是自己买东西',
];

/** ASCII → full-width (！，？：（）１２３ …), as phones with a Chinese keyboard type it. */
export function toFullWidth(text: string): string {
  return text.replace(/[!-~]/gu, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /gu, '\u3000');
}

/** One variant of a text: how it was changed, and the changed text. */
export interface TextVariant {
  kind: 'question' | 'instruction' | 'quoted' | 'full-width' | 'emoji';
  text: string;
}

/**
 * The forms a resident sends a message to the bot in: with a question or the
 * scammer's instruction after it, quoted, typed in full-width, with emoji.
 * Instruction endings are for fraud texts only (they make any text a
 * request); `withInstructions: false` leaves them out for normal texts.
 */
export function robustVariants(text: string, o: { withInstructions?: boolean } = {}): TextVariant[] {
  const plain = text.replace(/[。！？!?.\s]+$/u, '');
  const out: TextVariant[] = QUESTION_ENDINGS.map((e) => ({ kind: 'question', text: plain + e }));
  if (o.withInstructions ?? true) for (const e of INSTRUCTION_ENDINGS) out.push({ kind: 'instruction', text: plain + e });
  out.push({ kind: 'quoted', text: `「${text}」这个是真的吗` });
  out.push({ kind: 'full-width', text: toFullWidth(text) });
  out.push({ kind: 'emoji', text: `${text.replace(/([，。！？,.!?])/gu, '$1😱')}🙏🙏` });
  return out;
}

export interface RobustReport {
  /** Variants judged (fraud and normal). */
  variants: number;
  /** Share of the variants of fraud texts flagged (高 or 中). */
  recall: number;
  /** Share of the variants of normal texts flagged (question endings, quoted, full-width, emoji). */
  falseAlarmRate: number;
  /** Share of the variants of typed fraud texts whose most likely type is right. */
  typeAccuracy: number;
  /** Recall per kind of variant. */
  recallByKind: Record<TextVariant['kind'], number>;
}

/** Judge every {@link robustVariants} of every case. Pure. */
export function evaluateRobust(cases: readonly EvalCase[], judge: ScamJudge): RobustReport {
  let fraudN = 0;
  let flagged = 0;
  let normalN = 0;
  let alarms = 0;
  let typed = 0;
  let typeRight = 0;
  const byKind = new Map<TextVariant['kind'], [number, number]>();
  for (const c of cases) {
    const fraud = c.label === 'fraud';
    for (const v of robustVariants(c.text, { withInstructions: fraud })) {
      const a = judge.assess(v.text);
      const hit = a.risk !== 'low';
      if (fraud) {
        fraudN++;
        if (hit) flagged++;
        const k = byKind.get(v.kind) ?? [0, 0];
        byKind.set(v.kind, [k[0] + (hit ? 1 : 0), k[1] + 1]);
        if (c.type) {
          typed++;
          if (a.type === c.type) typeRight++;
        }
      } else {
        normalN++;
        if (hit) alarms++;
      }
    }
  }
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const recallByKind = Object.fromEntries([...byKind].map(([k, [h, n]]) => [k, ratio(h, n)])) as RobustReport['recallByKind'];
  return { variants: fraudN + normalN, recall: ratio(flagged, fraudN), falseAlarmRate: ratio(alarms, normalN), typeAccuracy: ratio(typeRight, typed), recallByKind };
}
