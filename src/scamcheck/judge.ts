import type { ScamRules } from './rules.js';
import { posteriors, textFeatures, trainTextBayes } from './text-bayes.js';

/** 高 / 中 / 低 */
export type RiskLevel = 'high' | 'medium' | 'low';
export const RISK_LABEL: Record<RiskLevel, string> = { high: '高', medium: '中', low: '低' };

/** A rule that matched, with the phrase found in the text. */
export interface FoundSignal {
  label: string;
  phrase: string;
  w: number;
  /** The scam type it points to; undefined for a request any scam makes. */
  type?: string;
  /** The rule's tag (content/scamcheck/rules.yaml), e.g. `lost` for money already gone. */
  tag?: string;
}

export interface ScamAssessment {
  risk: RiskLevel;
  score: number;
  /** Most likely type id (content/scam-types.yaml); `other` when no type stands out. */
  type: string;
  typeName: string;
  signals: FoundSignal[];
  combos: string[];
  /** The context that lowered the score, if any. */
  lowered?: { label: string; phrase: string; factor: number };
}

interface CompiledSignal {
  /** Index into the phrase hits of one text. */
  id: number;
  label: string;
  w: number;
  tag: string | undefined;
  type: string | undefined;
  phrases: string[];
  re: RegExp | undefined;
  negatable: boolean;
}

/** A request said in the negative (不转账, 没给验证码, 别点链接) is not a request. */
const NEGATION = /[不没别勿未]|无需|不用|不要/u;
const NEGATION_REACH = 3;
/** Requests of this weight or more are real asks (an amount or a hurry alone is not). */
const ASKING_WEIGHT = 2;

function negated(text: string, at: number): boolean {
  return NEGATION.test(text.slice(Math.max(0, at - NEGATION_REACH), at));
}

/** Full-width → half-width, lower case, no spaces: the form rules and texts are compared in. */
export function normalizeForMatch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, '');
}

function compileSignal(id: number, s: Pick<ScamRules['asks'][number], 'label' | 'tag' | 'any' | 're'> & { w?: number; negatable?: boolean }, type?: string): CompiledSignal {
  return {
    id,
    label: s.label,
    w: s.w ?? 0,
    tag: s.tag,
    type,
    phrases: (s.any ?? []).map(normalizeForMatch),
    re: s.re === undefined ? undefined : new RegExp(s.re, s.negatable ? 'gu' : 'u'),
    negatable: s.negatable ?? false,
  };
}

/**
 * Every phrase of every signal, indexed by its first character, so one pass
 * over a text finds them all (instead of one `includes` per phrase). For each
 * signal the hit kept is its earliest-listed phrase that occurs (outside a
 * negation, for negatable signals).
 */
class PhraseIndex {
  private readonly byFirst = new Map<string, { phrase: string; signal: CompiledSignal; order: number }[]>();

  constructor(signals: readonly CompiledSignal[]) {
    for (const s of signals) {
      s.phrases.forEach((phrase, order) => {
        const first = phrase[0]!;
        const list = this.byFirst.get(first) ?? [];
        list.push({ phrase, signal: s, order });
        this.byFirst.set(first, list);
      });
    }
  }

  /** signal id → [phrase, its order]; `hits` is reused between texts. */
  scan(text: string, hits: (readonly [string, number] | undefined)[]): void {
    hits.fill(undefined);
    for (let i = 0; i < text.length; i++) {
      const list = this.byFirst.get(text[i]!);
      if (!list) continue;
      for (const e of list) {
        const prev = hits[e.signal.id];
        if (prev && prev[1] <= e.order) continue;
        if (!text.startsWith(e.phrase, i)) continue;
        if (e.signal.negatable && negated(text, i)) continue;
        hits[e.signal.id] = [e.phrase, e.order];
      }
    }
  }
}

function find(s: CompiledSignal, text: string, hits: readonly (readonly [string, number] | undefined)[]): string | undefined {
  const hit = hits[s.id];
  if (hit) return hit[0];
  if (!s.re) return undefined;
  if (!s.negatable) return s.re.exec(text)?.[0];
  s.re.lastIndex = 0;
  for (const m of text.matchAll(s.re)) if (!negated(text, m.index)) return m[0];
  return undefined;
}

/**
 * The scam check's judgement: a pure, explainable function of the text and
 * the reviewed rule data (content/scamcheck/rules.yaml). Every number in the
 * result comes from a named rule that matched.
 */
export interface ScamJudge {
  assess(text: string): ScamAssessment;
  /** A type id for a label written as id, official name or alias (eval files use any of them); undefined if unknown. */
  typeOf(label: string): string | undefined;
}

export function compileScamJudge(rules: ScamRules): ScamJudge {
  // what a scammer asks for can be said in the negative by a warning or a careful member
  let ids = 0;
  const asks = rules.asks.map((s) => compileSignal(ids++, { ...s, negatable: true }));
  const typed = Object.entries(rules.types).flatMap(([type, t]) => t.signals.map((s) => compileSignal(ids++, s, type)));
  const lowering = rules.lowering.map((l) => ({ ...compileSignal(ids++, l), factor: l.factor, onlyWithoutAsks: l.onlyWithoutAsks ?? false }));
  const index = new PhraseIndex([...asks, ...typed, ...lowering]);
  const hits: (readonly [string, number] | undefined)[] = new Array(ids);
  const typeOrder = Object.keys(rules.types);
  const fraudBayes = trainTextBayes(rules.examples.map((e) => ({ text: normalizeForMatch(e.text), label: e.label })));
  const fraudAt = fraudBayes.classes.indexOf('fraud');
  const typeBayes = trainTextBayes(rules.examples.filter((e) => e.label === 'fraud' && e.type).map((e) => ({ text: normalizeForMatch(e.text), label: e.type! })));
  const { fraudWeight, typeWeight } = rules.statistical;
  const bayesIndexOfType = new Map(typeBayes.classes.map((c, i) => [c, i]));
  const aliases = new Map<string, string>();
  // 刷单返利 = 刷单返利类 = 刷单返利类诈骗 = 刷单返利诈骗; punctuation between words does not matter
  const labelKey = (s: string): string => normalizeForMatch(s).replace(/[、，,/()（）]/gu, '').replace(/(类)?(诈骗|案件)?$/u, '').replace(/类$/u, '');
  for (const [id, t] of Object.entries(rules.types)) {
    for (const a of [id, rules.typeNames[id] ?? id, ...t.aliases]) aliases.set(labelKey(a), id);
  }

  function assess(raw: string): ScamAssessment {
    const text = normalizeForMatch(raw);
    index.scan(text, hits);
    const grams = textFeatures(text);
    const signals: FoundSignal[] = [];
    const tags = new Set<string>();
    let askScore = 0;
    let asksSomething = false;
    for (const s of asks) {
      const phrase = find(s, text, hits);
      if (phrase === undefined) continue;
      askScore += s.w;
      if (s.w >= ASKING_WEIGHT) asksSomething = true;
      signals.push({ label: s.label, phrase, w: s.w, ...(s.tag ? { tag: s.tag } : {}) });
      if (s.tag) tags.add(s.tag);
    }
    const typeScore = new Map<string, number>();
    for (const s of typed) {
      const phrase = find(s, text, hits);
      if (phrase === undefined) continue;
      typeScore.set(s.type!, (typeScore.get(s.type!) ?? 0) + s.w);
      signals.push({ label: s.label, phrase, w: s.w, type: s.type!, ...(s.tag ? { tag: s.tag } : {}) });
      if (s.tag) tags.add(s.tag);
    }
    let bestType = 'other';
    let bestScore = 0;
    let bestCombined = 0;
    const fraudP = fraudWeight > 0 && fraudAt >= 0 ? posteriors(fraudBayes.logScores(grams))[fraudAt]! : 0.5;
    // the wording names a type only for a text that looks like fraud or in which some rule found something
    const typeP = typeWeight > 0 && typeBayes.classes.length > 1 && (signals.length > 0 || fraudP > 0.5) ? posteriors(typeBayes.logScores(grams)) : undefined;
    for (const t of typeOrder) {
      const sc = typeScore.get(t) ?? 0;
      const at = typeP ? bayesIndexOfType.get(t) : undefined;
      const combined = sc + (at !== undefined ? typeWeight * typeP![at]! : 0);
      if (combined > bestCombined) [bestType, bestScore, bestCombined] = [t, sc, combined];
    }
    if (bestCombined < rules.minTypeScore) bestType = 'other';
    const combos = rules.combos.filter((c) => c.all.every((t) => tags.has(t)));
    const raw0 = askScore + bestScore + combos.reduce((a, c) => a + c.w, 0);
    let lowered: ScamAssessment['lowered'];
    for (const l of lowering) {
      if (l.onlyWithoutAsks && asksSomething) continue;
      if (lowered && lowered.factor <= l.factor) continue;
      const phrase = find(l, text, hits);
      if (phrase !== undefined) lowered = { label: l.label, phrase, factor: l.factor };
    }
    const wording = fraudWeight * (2 * fraudP - 1);
    // fraud-like wording is lowered by the same context as the rules; normal wording always counts
    const score = Math.round(((raw0 + Math.max(wording, 0)) * (lowered?.factor ?? 1) + Math.min(wording, 0)) * 100) / 100;
    const risk: RiskLevel = score >= rules.thresholds.high ? 'high' : score >= rules.thresholds.medium ? 'medium' : 'low';
    // signals of the chosen type and the requests first, strongest first
    signals.sort((a, b) => Number(b.type === undefined || b.type === bestType) - Number(a.type === undefined || a.type === bestType) || b.w - a.w);
    return {
      risk,
      score,
      type: bestType,
      typeName: rules.typeNames[bestType] ?? bestType,
      signals,
      combos: combos.map((c) => c.label),
      ...(lowered ? { lowered } : {}),
    };
  }

  return {
    assess,
    typeOf: (label) => aliases.get(labelKey(label)),
  };
}
