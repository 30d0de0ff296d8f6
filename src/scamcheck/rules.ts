import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../config/errors.js';
import { parseYaml, zodProblems } from '../config/yaml-file.js';
import { parseJsonLines } from '../config/json-lines.js';
import { readFileSync } from 'node:fs';
import { loadScamTypes } from '../content/library.js';

const phrases = z.array(z.string().min(1));
const signalSchema = z
  .strictObject({
    tag: z.string().min(1).optional(),
    label: z.string().min(1),
    /** Evidence for the type (and, unless `risk` says otherwise, for the risk). */
    w: z.number().positive().max(10),
    /** What the signal adds to the risk, when it differs from `w` (0 for words that only name a topic). @defaultValue w */
    risk: z.number().min(0).max(10).optional(),
    any: phrases.optional(),
    re: z.string().min(1).optional(),
    /** The signal does not count when one of these occurs in the text: a word with two meanings read in its context. */
    unless: phrases.optional(),
    /** For a request (`asks`): whether it can be said in the negative (不要转账 is no request). A threat or a number cannot. @defaultValue true */
    negatable: z.boolean().optional(),
    /** For a request (`asks`): whether it counts as asking for something, which rules out the lowering of a notice that asks for nothing. A fee named without a verb (定金, 保证金) does not. @defaultValue true when w ≥ 2 */
    asking: z.boolean().optional(),
    /** For a request (`asks`): one an official channel makes itself (pay a bill, by a date, or the service stops), which a lowering with `inChannel` lets pass. @defaultValue false */
    inChannel: z.boolean().optional(),
    /** Counted even inside a stretch that only describes requests ("凡是……的都是诈骗", "骗子常说……"): a number or a link given is given. @defaultValue false */
    literal: z.boolean().optional(),
  })
  .refine((s) => (s.any?.length ?? 0) > 0 || s.re !== undefined, { message: 'a signal needs phrases (`any`) or a pattern (`re`)' });

const segmentTexts = z.strictObject({ elderly: z.string(), students: z.string(), shoppers: z.string(), general: z.string() });
const byRisk = z.strictObject({ high: z.string().min(1), medium: z.string().min(1), low: z.string().min(1) });

export const scamRulesSchema = z.strictObject({
  thresholds: z.strictObject({ high: z.number(), medium: z.number() }),
  minTypeScore: z.number().nonnegative(),
  asks: z.array(signalSchema).min(1),
  types: z.record(
    z.string(),
    z.strictObject({
      aliases: phrases,
      /** The official advice, quoted in full answers. */
      advice: z.string().min(1),
      /** The type in everyday words (elderly groups are told this instead of the official name). */
      plainName: z.string().min(1).optional(),
      /** The advice in one short plain sentence (the elderly form). @defaultValue advice */
      plain: z.string().min(1).optional(),
      /** How to check a message of this type through a channel the reader already trusts. @defaultValue always.verifyLow */
      verify: z.string().min(1).optional(),
      signals: z.array(signalSchema),
    }),
  ),
  combos: z.array(z.strictObject({ label: z.string().min(1), w: z.number().positive(), all: z.array(z.string().min(1)).min(2) })),
  lowering: z.array(
    z
      .strictObject({
        label: z.string().min(1),
        factor: z.number().min(0).max(1),
        any: phrases.optional(),
        re: z.string().min(1).optional(),
        /** Distinct phrases or pattern matches needed (in the speaker's own words, not in a question or in what "they said"). @defaultValue 1 */
        needs: z.number().int().min(1).max(10).optional(),
        /** Applies only when no request of weight 2 or more occurs. */
        onlyWithoutAsks: z.boolean().optional(),
        /** With `onlyWithoutAsks`: requests an official channel makes itself (`inChannel` on the request: a bill, a deadline) do not count — the text sends the reader to the official channel it names, not away from it. */
        inChannel: z.boolean().optional(),
        /** Applies only when no signal with one of these tags occurs (a warning gives no link or number of its own). */
        blockedBy: z.array(z.string().min(1)).optional(),
        /** What the answer says instead of the plain low line. */
        says: z.string().min(1).optional(),
      })
      .refine((l) => (l.any?.length ?? 0) > 0 || l.re !== undefined, { message: 'a lowering context needs phrases (`any`) or a pattern (`re`)' }),
  ),
  /**
   * How the score is made: `score = wording + rules × min(ruleScore, rulesCap) + lowering × ln(factor)`
   * (see ScamAssessment.evidence); calibrated by cross-validation on the development data
   * (src/scamcheck/calibrate.ts). `typeWeight`: what the type model adds to a type's own signals.
   */
  statistical: z.strictObject({
    rules: z.number().nonnegative(),
    rulesCap: z.number().positive(),
    lowering: z.number().nonnegative(),
    typeWeight: z.number().nonnegative(),
  }),
  always: z.strictObject({
    /** The first line of every answer, by risk, in the asker's register. */
    lead: byRisk,
    sanBuYiDuo: z.string().min(1),
    numbers: z.string().min(1),
    /** The numbers in one short line (the elderly form). */
    numbersShort: z.string().min(1),
    verifyLow: z.string().min(1),
    /** How to check a message from a relative or friend in trouble: call them back on the number already known. */
    verifyKin: z.string().min(1),
    moneyGone: z.string().min(1),
    openers: segmentTexts,
  }),
});

export type ScamRulesFile = z.output<typeof scamRulesSchema>;

/** A reviewed example text (content/scamcheck/examples.jsonl). */
export interface ScamExample {
  text: string;
  label: 'fraud' | 'normal';
  type: string | null;
}

/** The rule data plus the official type names (content/scam-types.yaml) and the reviewed examples. */
export interface ScamRules extends ScamRulesFile {
  typeNames: Record<string, string>;
  examples: ScamExample[];
}

export const SCAM_RULES_FILE = join('scamcheck', 'rules.yaml');
export const SCAM_EXAMPLES_FILE = join('scamcheck', 'examples.jsonl');

/**
 * Load and check content/scamcheck/rules.yaml: every type is one of
 * content/scam-types.yaml, every pattern compiles, every combo tag exists.
 * Problems name the file, line and field.
 */
export function loadScamRules(contentDir: string): ScamRules {
  const file = join(contentDir, SCAM_RULES_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError([{ file, field: '', message: 'missing: the scam check needs its rule data here' }]);
  }
  const located = parseYaml(text, file);
  const parsed = scamRulesSchema.safeParse(located.data);
  if (!parsed.success) throw new ConfigError(zodProblems(file, parsed.error.issues, located));
  const rules = parsed.data;
  const types = loadScamTypes(contentDir);
  const typeNames = Object.fromEntries(types.types.map((t) => [t.id, t.name]));
  const problems: ConfigProblem[] = [];
  const at = (path: PropertyKey[]): { line?: number } => {
    const line = located.lineOf(path);
    return line === undefined ? {} : { line };
  };
  const tags = new Set<string>();
  const checkSignal = (s: z.output<typeof signalSchema>, path: PropertyKey[]): void => {
    if (s.tag) tags.add(s.tag);
    if (s.re === undefined) return;
    try {
      new RegExp(s.re, 'u');
    } catch (err) {
      problems.push({ file, field: [...path, 're'].join('.'), message: `not a valid pattern: ${(err as Error).message}`, ...at([...path, 're']) });
    }
  };
  rules.asks.forEach((s, i) => checkSignal(s, ['asks', i]));
  rules.lowering.forEach((l, i) => checkSignal({ label: l.label, w: 1, ...(l.re !== undefined ? { re: l.re } : {}) }, ['lowering', i]));
  for (const [id, t] of Object.entries(rules.types)) {
    if (!(id in typeNames)) {
      problems.push({ file, field: `types.${id}`, message: `unknown scam type: one of ${Object.keys(typeNames).join(', ')} (content/scam-types.yaml)`, ...at(['types', id]) });
    }
    t.signals.forEach((s, i) => checkSignal(s, ['types', id, 'signals', i]));
  }
  if (!('other' in rules.types)) problems.push({ file, field: 'types.other', message: 'required: the fallback type 其他' });
  rules.combos.forEach((c, i) =>
    c.all.forEach((tag, j) => {
      if (!tags.has(tag)) problems.push({ file, field: `combos.${i}.all.${j}`, message: `no signal has tag "${tag}"`, ...at(['combos', i, 'all', j]) });
    }),
  );
  rules.lowering.forEach((l, i) =>
    (l.blockedBy ?? []).forEach((tag, j) => {
      if (!tags.has(tag)) problems.push({ file, field: `lowering.${i}.blockedBy.${j}`, message: `no signal has tag "${tag}"`, ...at(['lowering', i, 'blockedBy', j]) });
    }),
  );
  if (rules.thresholds.medium > rules.thresholds.high) {
    problems.push({ file, field: 'thresholds.medium', message: `must not exceed thresholds.high (${rules.thresholds.high})`, ...at(['thresholds', 'medium']) });
  }
  const examples = loadExamples(join(contentDir, SCAM_EXAMPLES_FILE), typeNames, problems);
  if (problems.length) throw new ConfigError(problems);
  return { ...rules, typeNames, examples };
}

const exampleSchema = z.strictObject({ text: z.string().min(1), label: z.enum(['fraud', 'normal']), type: z.string().nullable() });

function loadExamples(file: string, typeNames: Record<string, string>, problems: ConfigProblem[]): ScamExample[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problems.push({ file, field: '', message: 'missing: the scam check trains its statistical layer on these reviewed examples' });
    return [];
  }
  const out: ScamExample[] = [];
  for (const { line, value } of parseJsonLines(text, file, problems)) {
    const r = exampleSchema.safeParse(value);
    if (!r.success) {
      for (const p of zodProblems(file, r.error.issues)) problems.push({ ...p, line });
    } else if (r.data.type !== null && !(r.data.type in typeNames)) {
      problems.push({ file, line, field: 'type', message: `unknown scam type "${r.data.type}": one of ${Object.keys(typeNames).join(', ')}` });
    } else out.push(r.data);
  }
  return out;
}
