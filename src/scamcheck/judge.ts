import type { ScamRules } from './rules.js';
import { FeatureSpace, posteriors, trainTextBayes, trainTextLogit } from './text-bayes.js';

/** 高 / 中 / 低 */
export type RiskLevel = 'high' | 'medium' | 'low';
export const RISK_LABEL: Record<RiskLevel, string> = { high: '高', medium: '中', low: '低' };

/** A rule that matched, with the phrase found in the text. */
export interface FoundSignal {
  label: string;
  phrase: string;
  /** Evidence for its type. */
  w: number;
  /** What it added to the risk (0 for a word that only names a topic, or one counted already). */
  risk: number;
  /** The scam type it points to; undefined for a request any scam makes. */
  type?: string;
  /** The rule's tag (content/scamcheck/rules.yaml), e.g. `lost` for money already gone. */
  tag?: string;
  /** Found by the rule's pattern (`re`), not one of its phrases: `phrase` is the stretch of text that matched. */
  pattern?: true;
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
  /**
   * What the score is made of: `score = wording + rules·min(ruleScore, rulesCap) + lowering·ln(factor)`
   * (weights in rules.yaml `statistical`). `wording`: the wording model's log-odds that the text is
   * a scam; `ruleScore`: every request, claim and promise found plus the combinations, before
   * any lowering; `factor`: the lowering context's factor (1 for none).
   */
  evidence: { wording: number; ruleScore: number; factor: number };
  /** Whether the text asks the reader for something (pay, a code, a card, a link, an app, secrecy …): 高 needs one. */
  asks: boolean;
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

/**
 * Full-width → half-width, lower case, no spaces, no emoji; a line break
 * ends a clause. The form rules and texts are compared in.
 */
export function normalizeForMatch(text: string): string {
  return quickNormal(text) ?? fullNormal(text);
}

function fullNormal(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\r\n]+/gu, '。')
    .replace(/[\s\p{Extended_Pictographic}\u200d\ufe0f\u20e3]+/gu, '');
}

/** Characters NFKC leaves as they are besides ASCII and the CJK ideographs: 、。〈〉《》「」『』【】〔〕〖〗〘〙〚〛 — ‘’ “” · • */
const NFKC_STABLE = new Set([0x3001, 0x3002, ...Array.from({ length: 10 }, (_, i) => 0x3008 + i), ...Array.from({ length: 8 }, (_, i) => 0x3014 + i), 0x2014, 0x2018, 0x2019, 0x201c, 0x201d, 0xb7, 0x2022]);

/**
 * {@link fullNormal} without NFKC and regular expressions, for the texts
 * most messages are (ASCII, CJK ideographs and punctuation, full-width forms);
 * undefined for any other character. Gives exactly what fullNormal gives.
 */
function quickNormal(text: string): string | undefined {
  const out: number[] = [];
  let newline = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) {
      if (!newline) out.push(0x3002);
      newline = true;
      continue;
    }
    newline = false;
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
    if (c < 0x80) {
      if (c === 0x20 || (c >= 0x09 && c <= 0x0c)) continue;
      if (c < 0x20 || c === 0x7f) return undefined;
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      out.push(c);
    } else if ((c >= 0x4e00 && c <= 0x9fff) || NFKC_STABLE.has(c)) out.push(c);
    else if (c === 0x3000) continue;
    else return undefined;
  }
  if (out.length <= 4096) return String.fromCharCode(...out);
  let s = '';
  for (let i = 0; i < out.length; i += 4096) s += String.fromCharCode(...out.slice(i, i + 4096));
  return s;
}

/**
 * The risk comes from every request, claim and promise found (each counted
 * once), plus the combinations that matter, plus the naive Bayes opinion of
 * the wording; a specific context (a police warning's voice, a retelling of
 * a scam avoided, a notice that asks for nothing) lowers it. The type is a
 * second question, answered from the type's own signals and the type model.
 *
 * What a resident adds to a message — a question ("这是不是骗子？"), what
 * the other side told them ("对方还说千万别告诉家里人") — never lowers the
 * risk: lowering contexts count only in the speaker's own statements, and
 * the wording model does not read trailing questions.
 */
export function compileScamJudge(rules: ScamRules): ScamJudge {
  let ids = 0;
  // what a scammer asks for can be said in the negative by a warning or a careful member
  // (only while every lowering that needs a text to ask nothing lets a request asked inside a channel pass)
  const lateForms = rules.lowering.every((l) => !l.onlyWithoutAsks || l.inChannel === true);
  const late = (s: ScamRules['asks'][number]): boolean => lateForms && onlyTellsAsking(s);
  const asks = rules.asks.filter((s) => !late(s)).map((s) => compileSignal(ids++, { ...s, negatable: s.negatable ?? true, role: 'ask' }));
  const typed = Object.entries(rules.types).flatMap(([type, t]) => t.signals.map((s) => compileSignal(ids++, { ...s, role: 'typed' }, type)));
  const lowering = rules.lowering.map((l) => ({
    ...compileSignal(ids++, { label: l.label, w: 0, ...(l.any ? { any: l.any } : {}), ...(l.re !== undefined ? { re: l.re } : {}), role: 'lowering' }),
    factor: l.factor,
    needs: l.needs ?? 1,
    onlyWithoutAsks: l.onlyWithoutAsks ?? false,
    inChannel: l.inChannel ?? false,
    blockedBy: l.blockedBy ?? [],
  }));
  const index = new PhraseIndex([...asks, ...typed, ...lowering]);
  // the request forms that only tell whether the reader is asked, looked for only when that decides between 高 and 中
  const forms = rules.asks.filter(late).map((s) => compileSignal(ids++, { ...s, negatable: s.negatable ?? true, role: 'ask' }));
  const byId: CompiledSignal[] = [];
  for (const s of [...asks, ...typed, ...lowering, ...forms]) byId[s.id] = s;
  const typeOrder = Object.keys(rules.types);
  const examples = rules.examples.map((e) => ({ ...e, text: wordingOf(normalizeForMatch(e.text)) }));
  const space = new FeatureSpace(examples.map((e) => e.text));
  const wordingModel = trainTextLogit(examples.map((e) => ({ text: trimMarks(e.text), label: e.label })), 'fraud');
  const typeBayes = trainTextBayes(examples.filter((e) => e.label === 'fraud' && e.type).map((e) => ({ text: e.text, label: e.type! })), space);
  const { typeWeight } = rules.statistical;
  const weigh = rules.statistical;
  const bayesIndexOfType = new Map(typeBayes.classes.map((c, i) => [c, i]));
  const aliases = new Map<string, string>();
  // 刷单返利 = 刷单返利类 = 刷单返利类诈骗 = 刷单返利诈骗; punctuation between words does not matter
  const labelKey = (s: string): string => normalizeForMatch(s).replace(/[、，,/()（）]/gu, '').replace(/(类)?(诈骗|案件)?$/u, '').replace(/类$/u, '');
  for (const [id, t] of Object.entries(rules.types)) {
    for (const a of [id, rules.typeNames[id] ?? id, ...t.aliases]) aliases.set(labelKey(a), id);
  }

  function assess(raw: string): ScamAssessment {
    const text = normalizeForMatch(raw);
    const clauses = new Clauses(text);
    const described = describedSpans(text);
    const hits = index.scan(text, clauses, described);
    const found: { s: CompiledSignal; phrase: string; described?: true }[] = [];
    const asking: CompiledSignal[] = [];
    const typeScore = new Map<string, number>();
    // only the signals the scan found something for, in rule order (requests first, then the types' signals)
    for (const id of hits.ids) {
      const s = byId[id]!;
      if (s.role !== 'ask') continue;
      const phrase = find(s, text, hits);
      if (phrase === undefined) continue;
      if (s.asking) asking.push(s);
      found.push({ s, phrase });
    }
    for (const id of hits.ids) {
      const s = byId[id]!;
      if (s.role !== 'typed') continue;
      let phrase = find(s, text, hits);
      // a type's word inside a description of requests still says what the text is about, but adds no risk
      const aside = phrase === undefined ? hits.aside[s.id] : undefined;
      if (aside !== undefined && !s.unless.some((u) => text.includes(u))) phrase = aside;
      if (phrase === undefined) continue;
      typeScore.set(s.type!, (typeScore.get(s.type!) ?? 0) + s.w);
      found.push({ s, phrase, ...(aside !== undefined ? { described: true } : {}) });
    }
    // every signal adds to the risk, but each phrase and each tag only once, at its strongest
    found.sort(byRiskDown);
    const signals: FoundSignal[] = [];
    const tags = new Set<string>();
    const counted = new Set<string>();
    let riskScore = 0;
    let asksReader = false;
    /** a number, an account or a web address of the sender's own, and a request for money, a code or a card */
    let gaveContact = false;
    let asksMoneyOrSecrets = false;
    for (const { s, phrase, described: talkedAbout } of found) {
      if (talkedAbout) {
        signals.push({ label: s.label, phrase, w: s.w, risk: 0, ...(s.type ? { type: s.type } : {}), ...(hits.order[s.id] === Infinity ? { pattern: true as const } : {}) });
        continue;
      }
      const first = !counted.has(phrase) && !(s.tag !== undefined && tags.has(s.tag));
      const r = first ? s.risk : 0;
      counted.add(phrase);
      if (s.tag) tags.add(s.tag);
      riskScore += r;
      if (s.asking) asksReader = true;
      if (r > 0 && s.tag !== undefined) {
        if (s.tag === 'contact') gaveContact = true;
        else if (MONEY_OR_SECRETS.has(s.tag)) asksMoneyOrSecrets = true;
      }
      signals.push({ label: s.label, phrase, w: s.w, risk: r, ...(s.type ? { type: s.type } : {}), ...(s.tag ? { tag: s.tag } : {}), ...(hits.order[s.id] === Infinity ? { pattern: true as const } : {}) });
    }
    const combos: string[] = [];
    let raw0 = riskScore;
    for (const c of rules.combos) {
      if (!hasAll(tags, c.all)) continue;
      combos.push(c.label);
      raw0 += c.w;
    }
    let lowered: ScamAssessment['lowered'];
    for (const l of lowering) {
      // a bill, a deadline or a suspension the official channel named deals with itself is no request to leave it
      if (l.onlyWithoutAsks && !asksOnlyInChannel(asking, l)) continue;
      if (lowered && lowered.factor <= l.factor) continue;
      if (hasAny(tags, l.blockedBy)) continue;
      const phrase = hits.count[l.id]! >= l.needs ? hits.first[l.id] : undefined;
      if (phrase !== undefined) lowered = { label: l.label, phrase, factor: l.factor };
    }
    // the wording model reads the message, not the asker's question after it nor what the other side
    // said after it: of the message with and without those, the most scam-like reading counts, so an
    // appended question or instruction can only raise it
    let wording = -Infinity;
    for (const body of wordingBodies(text, clauses)) wording = Math.max(wording, wordingModel.logit(body));
    const factor = lowered?.factor ?? 1;
    const score = Math.round((wording + weigh.rules * Math.min(raw0, weigh.rulesCap) + weigh.lowering * Math.log(factor)) * 100) / 100;
    // 高 needs a real request of the reader (pay, a code, a card, a link, an app, secrecy …), not only a topic
    let asks = asksReader;
    // a text that reaches 高's threshold and asks nothing the scored requests know: look for the other forms of a request
    if (!asks && forms.length > 0 && score >= rules.thresholds.high) {
      for (const s of forms) {
        const m = lateMatch(s, text, described);
        if (m === undefined) continue;
        asks = true;
        // one request is enough to tell: the first found is named among the signals
        signals.push({ label: s.label, phrase: m.phrase, w: s.w, risk: 0, ...(s.tag ? { tag: s.tag } : {}), ...(m.pattern ? { pattern: true as const } : {}) });
        break;
      }
    }
    // a text that asks for money, a code or a card and gives its own number, account or web address to do it
    // (请点击 yd-cz.top 充值) is never 低 unless a specific context lowered it: the wording of an official
    // notice does not make its address official
    const offChannelRequest = gaveContact && asksMoneyOrSecrets && !lowered;
    const risk: RiskLevel =
      score >= rules.thresholds.high && asks ? 'high' : score >= rules.thresholds.medium || offChannelRequest ? 'medium' : 'low';
    // the wording names a type only for a text judged 高 or 中 (a low answer names none)
    // the type model can only change the type when the rules' best type leads by no more than typeWeight
    const typeP = typeWeight > 0 && typeBayes.classes.length > 1 && risk !== 'low' && !ruleTypeDecided(typeScore, typeWeight) ? posteriors(typeBayes.logScores(space.featuresOf(wordingOf(text, clauses)))) : undefined;
    let bestType = 'other';
    let bestCombined = 0;
    for (const t of typeOrder) {
      const sc = typeScore.get(t) ?? 0;
      const at = typeP ? bayesIndexOfType.get(t) : undefined;
      const combined = sc + (at !== undefined ? typeWeight * typeP![at]! : 0);
      if (combined > bestCombined) [bestType, bestCombined] = [t, combined];
    }
    if (bestCombined < rules.minTypeScore) bestType = 'other';
    // signals of the chosen type and the requests first, strongest first
    signals.sort(bestTypeFirst(bestType));
    return {
      risk,
      score,
      type: bestType,
      typeName: rules.typeNames[bestType] ?? bestType,
      signals,
      combos,
      ...(lowered ? { lowered } : {}),
      evidence: { wording: Math.round(wording * 100) / 100, ruleScore: Math.round(raw0 * 100) / 100, factor },
      asks,
    };
  }

  return {
    assess,
    typeOf: (label) => aliases.get(labelKey(label)),
  };
}

/** Whether the best type by its own signals leads every other type (and no type at all) by more than the type model can add. */
function ruleTypeDecided(typeScore: ReadonlyMap<string, number>, typeWeight: number): boolean {
  let first = 0;
  let second = 0;
  for (const v of typeScore.values()) {
    if (v > first) [first, second] = [v, first];
    else if (v > second) second = v;
  }
  return first - second > typeWeight;
}

function hasAll(tags: ReadonlySet<string>, all: readonly string[]): boolean {
  for (const t of all) if (!tags.has(t)) return false;
  return true;
}

function hasAny(tags: ReadonlySet<string>, any: readonly string[]): boolean {
  for (const t of any) if (tags.has(t)) return true;
  return false;
}

/** Order: the requests and the signals of the chosen type first, then by weight. */
const sortCache = new Map<string, (a: FoundSignal, b: FoundSignal) => number>();
function bestTypeFirst(bestType: string): (a: FoundSignal, b: FoundSignal) => number {
  let f = sortCache.get(bestType);
  if (!f) {
    f = (a, b) => Number(b.type === undefined || b.type === bestType) - Number(a.type === undefined || a.type === bestType) || b.w - a.w;
    sortCache.set(bestType, f);
  }
  return f;
}

const byRiskDown = (a: { s: CompiledSignal; described?: true }, b: { s: CompiledSignal; described?: true }): number => (b.described ? 0 : b.s.risk) - (a.described ? 0 : a.s.risk);

/**
 * Whether every request found is one the official channel `l` names makes
 * itself (pay a bill, by a date, or the service stops: `inChannel` in
 * rules.yaml), or there is none. A transfer to an account, a link, a code, a
 * card number, an app to install, a private contact never is.
 */
function asksOnlyInChannel(asking: readonly CompiledSignal[], l: { inChannel: boolean }): boolean {
  for (const a of asking) if (!(l.inChannel && a.inChannel)) return false;
  return true;
}

/**
 * A request form that only tells whether the reader is asked (rules.yaml `asks` with `risk: 0`,
 * `asking` and `inChannel`): it adds nothing to the score and no lowering context turns on it
 * (while every lowering that needs a text to ask nothing lets a request asked inside a channel
 * pass), so it can change only 中 into 高, and is looked for only in a text that reaches 高's threshold.
 */
function onlyTellsAsking(s: { risk?: number | undefined; asking?: boolean | undefined; inChannel?: boolean | undefined }): boolean {
  return s.risk === 0 && s.asking === true && s.inChannel === true;
}

/**
 * Where a request form occurs as the phrase index would find it — a phrase first, else its
 * pattern; not said in the negative, not inside a description of requests, not with one of its
 * `unless` phrases — for the few texts that need it, without an index of its own.
 */
function lateMatch(s: CompiledSignal, text: string, described: readonly number[]): { phrase: string; pattern: boolean } | undefined {
  for (const u of s.unless) if (text.includes(u)) return undefined;
  const counts = (at: number, end: number): boolean => !(s.negatable && negated(text, at, end)) && (s.literal || described.length === 0 || !within(described, at, end));
  for (const phrase of s.phrases) {
    for (let at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1)) if (counts(at, at + phrase.length)) return { phrase, pattern: false };
  }
  const re = s.re;
  if (re === undefined) return undefined;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) re.lastIndex++;
    if (counts(m.index, m.index + m[0].length)) return { phrase: m[0], pattern: true };
  }
  return undefined;
}

/** Requests for money, a code or a card (tags of rules.yaml `asks`). */
const MONEY_OR_SECRETS = new Set(['pay', 'payFirst', 'advance', 'code', 'card']);

/** Requests of this weight or more are real asks (an amount or a hurry alone is not). */
const ASKING_WEIGHT = 2;

type Role = 'ask' | 'typed' | 'lowering';

interface CompiledSignal {
  /** Index into the phrase hits of one text. */
  id: number;
  label: string;
  w: number;
  risk: number;
  tag: string | undefined;
  type: string | undefined;
  phrases: string[];
  re: RegExp | undefined;
  /** characters of which a match of `re` contains at least one; undefined when that cannot be told from the pattern */
  reStarts: Uint16Array | undefined;
  unless: string[];
  negatable: boolean;
  /** a request that counts as asking for something (see `onlyWithoutAsks`) */
  asking: boolean;
  /** a request an official channel makes itself (see `asksOnlyInChannel`) */
  inChannel: boolean;
  /** counted even where requests are only described (a number or a link given is given) */
  literal: boolean;
  role: Role;
}

interface SignalSpec {
  label: string;
  w: number;
  risk?: number | undefined;
  tag?: string | undefined;
  any?: string[] | undefined;
  re?: string | undefined;
  unless?: string[] | undefined;
  asking?: boolean | undefined;
  inChannel?: boolean | undefined;
  literal?: boolean | undefined;
  negatable?: boolean;
  role: Role;
}

function compileSignal(id: number, s: SignalSpec, type?: string): CompiledSignal {
  return {
    id,
    label: s.label,
    w: s.w,
    risk: s.risk ?? s.w,
    tag: s.tag,
    type,
    phrases: (s.any ?? []).map(normalizeForMatch),
    re: s.re === undefined ? undefined : new RegExp(s.re, 'gu'),
    reStarts: s.re === undefined ? undefined : mustChars(s.re),
    unless: (s.unless ?? []).map(normalizeForMatch),
    negatable: s.negatable ?? false,
    asking: s.role === 'ask' && (s.asking ?? s.w >= ASKING_WEIGHT),
    inChannel: s.inChannel ?? false,
    literal: s.literal ?? false,
    role: s.role,
  };
}

/**
 * A request said in the negative (不转账, 没给验证码, 别点链接, 不会电话要求您
 * 提供密码) is not a request: a one-character negator just before the phrase,
 * or a negating word earlier in the same clause. 不够 and 不足 say too little, not no
 * (账户等级不够要先充够20万 asks).
 */
const NEGATOR_NEAR = /(不(?![是少但过久同管然错仅光只够足])|没(?!有人)|别(?![人的处家])|勿|未(?![来])|莫)[^,。!?;:]?[^,。!?;:]?$/u;
const NEGATOR_CLAUSE = /(不会|不要|切勿|请勿|不需要|无需|不用|从不|绝不|从来不|不能|不可以|没有|千万别|谁也不|任何人都不|都不会|不得)[^,。!?;:]{0,8}$/u;
/** 要不要转 / 是不是要交: a question about a request, not a refusal. */
const EITHER_OR = /(要不要|是不是|能不能|会不会|可不可以|用不用|该不该|需不需要|得不得|有没有)[^,。!?;:]{0,4}$/u;
/** 不转就冻结 / 不交的话: a threat, not a refusal. */
const THREAT_AFTER = /^[^,。!?;:]{0,4}?(就|的话|会被|将被|将会|后果|否则)/u;

/** 银行不会通过电话、短信联系您索要银行卡信息: what an institution says it never does, over a longer stretch of its clause. */
const NEVER_CLAUSE = /(不会|从不|从来不|绝不|决不|更不会|也不会|都不会|不存在|没有任何)[^,。!?;:]{0,20}$/u;
/** 不会有风险的，只要转账就能……: what follows 只要 / 但 is asked after all. */
const BUT_ASKED = /(只要|只需|但是?|可是|不过|就能|才能)[^,。!?;:]*$/u;
/** 给你转了2000 / 我给她转了一千块的红包 / 每个月初我给她转1500 / 儿子给我转了5000: a payment made, or made by the speaker; nobody asks the reader to pay. */
const GIVEN_TO = /给[\p{Script=Han}]{1,3}$/u;
/** 每个月给我打一千块钱回来: giving as a habit. */
const HABIT = /每(个)?(月|年|周|星期|天)|逢年过节|经常|一直/u;
const SPEAKER_GIVES = /我[^,。!?;:]{0,6}给[^,。!?;:]{1,4}$/u;
/** 你上次帮我代付的 / 替我垫过: a favour done, not asked. */
const FAVOUR_DONE = /(帮|替)(我|你|您)[^,。!?;:]{0,2}$/u;
/** 房租我已经转给房东了: the speaker's own payment, done. */
const SPEAKER_DID = /我(已经|已|刚|刚刚|早就|昨天|今天|上午|下午|前天)[^,。!?;:]{0,3}(把[^,。!?;:]{1,10})?$/u;

function negated(text: string, at: number, end: number): boolean {
  const near = text.slice(Math.max(0, at - 12), at);
  if (FAVOUR_DONE.test(near) && /^[的过了]/u.test(text.slice(end, end + 1))) return true;
  if (near.includes('我') || near.includes('给')) {
    const after = text.slice(at, end + 6);
    if (GIVEN_TO.test(near) && (after.slice(0, end - at + 1).includes('了') || SPEAKER_GIVES.test(near) || HABIT.test(near))) return true;
    if (SPEAKER_DID.test(near) && /^[^,。!?;:]*了/u.test(after)) return true;
  }
  if (!NEGATOR_NEAR.test(near) && !NEGATOR_CLAUSE.test(near)) {
    const before = text.slice(Math.max(0, at - 24), at);
    if (!NEVER_CLAUSE.test(before) || BUT_ASKED.test(before)) return false;
  }
  if (EITHER_OR.test(near)) return false;
  return !THREAT_AFTER.test(text.slice(end, end + 8));
}

/** What ends a clause: punctuation, quotation marks, brackets (after normalizeForMatch, so ，？！ are ASCII). */
const CLAUSE_END = new Set([...',。!?;:~…「」『』“”"()[]【】《》'].map((c) => c.charCodeAt(0)));
const ASK_OR_SHOUT = new Set(['?', '!'].map((c) => c.charCodeAt(0)));
/**
 * Words that start the asker's question (这是不是骗子 / 真的假的 / 怎么办 …):
 * from there on a clause is a question, never a statement that lowers the
 * risk. A question glued to a statement ("……请立即挂断是骗子吗") leaves the
 * statement before it as it is.
 */
const QUESTION_WORDS = /有人(遇到|碰到|接到|收到|知道|了解|被骗)过?|是不是|是否|算不算|真的假的|真假|靠不靠谱|靠谱|能信|可信|怎么办|咋办|要不要|能不能|可不可以|会不会|有没有人|帮(我|忙)?(看看|看下|看一下|瞧瞧)|什么情况|怎么回事|求问|请问/u;
/** who or what the question words are about, just before them (大家帮我看看, 这个到底是不是) */
const QUESTION_LEAD = /(大家|各位|谁|麻烦|请)?(这|那|它|他|她|对方)?(个|条|些)?(到底|究竟|真的)?$/u;
/** a clause ending as a question (……是骗子吗, 这是真的吗？) */
const QUESTION_END = /(这|那|它)?(个|条)?(是|算)?(真的|假的|骗子|诈骗|骗局|骗人的|套路|正规的|官方的)?(啊|呀|哈)?[?吗嘛么呢]+[啊呀哈]?$/u;
const QUESTION_LAST = new Set([...'?吗嘛么呢啊呀哈'].map((c) => c.charCodeAt(0)));

/** Where a clause's question starts; undefined when it asks nothing. */
function questionStart(body: string): number | undefined {
  const m = QUESTION_WORDS.exec(body);
  if (m) {
    const before = body.slice(Math.max(0, m.index - 8), m.index);
    return m.index - QUESTION_LEAD.exec(before)![0].length;
  }
  // a clause may end in several questions glued together (我要扫吗是骗子吗)
  let start: number | undefined;
  let end = body.length;
  while (end > 0 && QUESTION_LAST.has(body.charCodeAt(end - 1))) {
    const from = Math.max(0, end - 16);
    const e = QUESTION_END.exec(body.slice(from, end));
    if (!e) break;
    start = from + e.index;
    if (start === end) break;
    end = start;
  }
  return start;
}

/** A clause that reports what the other side said or wanted (对方说…, 还让我…): their words, not the speaker's. */
const REPORTED = /^(那个人|那人|对方|他们|他|她|骗子|客服|老师|警官|专员|人家|来电的?人?|打电话的人?)?(还|又|也|就|都|一直|当时|然后|后来)?(说|讲|称|告诉我|让我|叫我|要我|要求(?=我|你|您|他|她|大家)|让我们|要我们|让她|让他|交代|叮嘱|嘱咐)/u;
/**
 * Who is reported saying something in person that the speaker trusts (民警来社区讲座，说……;
 * 柜员跟我说……): a warning they gave counts as a warning. Not someone who phoned,
 * messaged or claimed to be one.
 */
const TRUSTED_REPORTER = /民警|警察|派出所|反诈中心|社区|居委会|网格员|柜员|营业厅|柜台|窗口|服务区|服务台|工作人员|医生|护士|老师|学校|辅导员|物业/u;
const REMOTE_OR_CLAIMED = /电话|来电|短信|微信|qq|视频|私信|群里|自称|冒充|说是|号称|假装|加我|加了|发来|对方/u;
/** Where the speaker takes over again inside a reported clause: 后来让我垫付我就退群了. */
const SPEAKER_AGAIN = /我(就|便|直接|马上|立马|立刻|当场|赶紧|果断|才|都|根本|压根)(没|不|退|挂|拉黑|删|报警|举报|拒绝|走|去问|打给)/u;

/** questionAt of a clause that asks nothing */
const NO_QUESTION = Number.MAX_SAFE_INTEGER;

/** The clauses of a text, each marked as a question or as reported speech. */
class Clauses {
  /** clause index of each character */
  readonly of: Uint16Array;
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** where each clause's question starts (NO_QUESTION when it asks nothing) */
  readonly questionAt: number[] = [];
  readonly reported: boolean[] = [];
  /** where each reported clause's reported part ends (the speaker's own words after it) */
  readonly reportedUntil: number[] = [];

  constructor(readonly text: string) {
    this.of = new Uint16Array(text.length);
    let start = 0;
    for (let i = 0; i <= text.length; i++) {
      if (i < text.length && !CLAUSE_END.has(text.charCodeAt(i))) continue;
      const end = i < text.length && ASK_OR_SHOUT.has(text.charCodeAt(i)) ? i + 1 : i;
      if (end > start || i === text.length) this.push(start, end, i);
      start = i + 1;
    }
  }

  private push(start: number, end: number, delim: number): void {
    const k = this.starts.length;
    const body = this.text.slice(start, end);
    this.starts.push(start);
    this.ends.push(end);
    const q = body.length > 0 ? questionStart(body) : undefined;
    this.questionAt.push(q !== undefined ? start + q : NO_QUESTION);
    let reported = REPORTED.test(body);
    if (reported) {
      // the one reported: named in this clause before its verb, or in the clause before
      const said = body.search(/说|讲|称|告诉|让|叫|要|交代|叮嘱|嘱咐/u);
      const who = (k > 0 ? this.text.slice(this.starts[k - 1]!, this.ends[k - 1]!) : '') + body.slice(0, Math.max(0, said));
      if (TRUSTED_REPORTER.test(who) && !REMOTE_OR_CLAIMED.test(who)) reported = false;
    }
    this.reported.push(reported);
    const again = reported ? SPEAKER_AGAIN.exec(body) : null;
    this.reportedUntil.push(again ? start + again.index : end);
    this.of.fill(k, start, Math.min(delim + 1, this.text.length));
  }

  /** Whether the text from `at` to `end` is in the speaker's own statements (not in a question, not in what "they said"). */
  own(at: number, end: number): boolean {
    const k = this.of[at]!;
    const last = this.of[Math.max(at, end - 1)]!;
    if ((this.reported[k] && at < this.reportedUntil[k]!) || (this.reported[last] && Math.max(at, this.starts[last]!) < this.reportedUntil[last]!)) return false;
    return at < this.questionAt[k]! && end <= this.questionAt[last]!;
  }

  /** Whether clause k is only the asker's question. */
  onlyQuestion(k: number): boolean {
    return this.questionAt[k] === this.starts[k];
  }
}

/**
 * Stretches of a text that describe requests instead of making them: what
 * anyone of a kind would ask ("谁在电话里说是公安局的，让你转钱的，直接挂";
 * "凡是要求屏幕共享的都是诈骗"; "别信那些要你转账的人"), what someone might
 * ask one day ("要是有人说是我让你转钱的，先给我打电话"), what scammers do
 * as a habit ("骗子常说…"). A request, claim or promise inside one is
 * talked about, not made to the reader: it adds nothing to the risk.
 * Returns [start, end) pairs; usually none.
 */
function describedSpans(text: string): number[] {
  const out: number[] = [];
  SPAN_OPENER.lastIndex = 0;
  for (let m = SPAN_OPENER.exec(text); m; m = SPAN_OPENER.exec(text)) {
    const start = m.index;
    const from = start + m[0].length;
    if (out.length > 0 && start < out[out.length - 1]!) continue;
    let end: number | undefined;
    if (m[1] !== undefined) {
      // all of a kind: up to its 都 / 一律 (所有的转账都要领导签字)
      const e = clauseEnd(text, from);
      const k = text.slice(from, e).search(/的(?=人|都|一律|均)|都|一律|均|一概/u);
      end = k >= 0 ? from + k + 1 : undefined;
    } else if (m[2] !== undefined) {
      // someone of a kind: up to the 的 that closes the description (那些……的人, 凡是……的都是)
      end = closingDe(text, from);
    } else if (m[3] !== undefined) {
      // if someone does this one day: the condition, up to its clause's end or its 就
      end = clauseEnd(text, from);
      const jiu = text.slice(from, end).search(/[就便]/u);
      if (jiu > 0) end = from + jiu;
    } else if (m[5] !== undefined) {
      // a warning's title naming a scam, then how it goes (谨防刷单诈骗：先给你甜头……再让你垫付……): that sentence
      end = from;
      while (end < text.length && !'。!?'.includes(text[end]!)) end++;
    } else {
      // what scammers do as a habit: until the text turns to the reader (……，你千万别转)
      end = from;
      for (;;) {
        end = clauseEnd(text, end);
        if (end >= text.length || text[end] !== ',' || TURN_TO_READER.test(text.slice(end + 1, end + 5))) break;
        end++;
      }
    }
    if (end === undefined || end <= from) continue;
    // ……的，让你转钱的，: descriptions strung together
    while (text[end] === ',') {
      const next = /^[^,。!?;:]{1,24}?的(?=[,。!?;:]|$|人|都|一律|均|全)/u.exec(text.slice(end + 1));
      if (!next) break;
      end = end + 1 + next[0].length;
    }
    out.push(start, end);
  }
  return out;
}

/**
 * Openers of a described request: (1) all of a kind, closed by 都;
 * (2) anyone of a kind, closed by 的; (3) a condition on someone else
 * doing it; (4) scammers as a habit; (5) a warning's title naming a scam,
 * followed by how it goes.
 */
const SPAN_OPENER = /((?:所有|一切)(?=的)|(?:所有|一切)(?!的)(?=[^,。!?;:]{1,12}(?:都|一律|均|一概)))|(凡是|任何(?!时候|时间|问题|情况|疑问|费用)|那些|那种|这种(?=说|让|要|叫|自称|打|发|加)|这类|那类|(?<![是道问找给跟和对为被有])谁|(?:别|不要|千万别|千万不要|切勿|勿|不能|不可|不可以)(?:轻易)?(?:信|相信|理会|理睬|搭理|听信))|((?:如果|要是|万一|假如|若是|倘若|一旦|以后|今后|下次|往后|问(?:我|你|您|他|她)?(?:是不是|有没有|是否))(?:再)?(?:有人|有谁|谁|陌生人|骗子|别人|有陌生人|任何人))|((?:骗子|不法分子|犯罪分子|诈骗分子|坏人)(?:们)?(?:常常|经常|通常|往往|一般|总是|惯用|最爱|常|都会|就会|会|先))|((?:^|[。!?])[^,。!?:]{0,12}(?:谨防|警惕|当心|小心|提防|揭秘|防范|识破)[^,。!?:]{0,10}(?:诈骗|骗局|套路|陷阱)[^,。!?:]{0,4}:)/gu;
/** A description of what scammers do ends where the text turns to the reader. */
const TURN_TO_READER = /^(你|您|大家|各位|请|千万|一定|不要|别|记住|切记|认准|遇到|如|如果|凡|但)/u;
/** Where the clause that `from` is in ends. */
function clauseEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && !SPAN_END.has(text.charCodeAt(i))) i++;
  return i;
}
const SPAN_END = new Set([...',。!?;:'].map((c) => c.charCodeAt(0)));
/** The end of the 的 that closes a description in the clause from `from` (那些……的人, ……的，都是), or undefined. */
function closingDe(text: string, from: number): number | undefined {
  const end = clauseEnd(text, from);
  for (let i = from; i < end; i++) {
    // the 的 of 真的 / 假的 is the asker's question (……均为诈骗真的假的？), never the end of a description
    if (text[i] !== '的' || text[i - 1] === '真' || text[i - 1] === '假') continue;
    const next = text[i + 1];
    if (next === undefined || SPAN_END.has(next.charCodeAt(0)) || '人都一均全就话统链广事短电消帖'.includes(next)) return i + 1;
  }
  return undefined;
}
/** Whether [at, end) lies inside one of the spans. */
function within(spans: readonly number[], at: number, end: number): boolean {
  for (let k = 0; k < spans.length; k += 2) if (at >= spans[k]! && end <= spans[k + 1]!) return true;
  return false;
}

const NOTHING_ASIDE: readonly undefined[] = [];

interface Hits {
  /** signal id → the phrase kept (its earliest-listed phrase found) */
  first: readonly (string | undefined)[];
  /** signal id → order of the phrase kept */
  order: Float64Array;
  /** signal id → distinct phrases (and pattern matches, for lowering contexts) found */
  count: Uint16Array;
  /** signal id → where the phrase kept was found */
  at: Int32Array;
  /** signal id → for a type's signal found only where requests are described: its first phrase there */
  aside: readonly (string | undefined)[];
  /** ids of the signals with a phrase or an aside found, ascending */
  ids: Int32Array;
}

/**
 * Every phrase of every signal, indexed by its first character, so one pass
 * over a text finds them all (instead of one `includes` per phrase). For each
 * signal the hit kept is its earliest-listed phrase that occurs (outside a
 * negation, for negatable signals; in the speaker's own words, for lowering
 * contexts).
 */
class PhraseIndex {
  /** by first character code: one-character phrases, and longer ones by their second character code */
  private readonly byFirst: ({ one: IndexEntry[]; two: Map<number, IndexEntry[]> } | undefined)[] = new Array(65536).fill(undefined);
  private readonly size: number;
  private readonly regexSignals: CompiledSignal[];
  /** by character code: the patterns (indexes into regexSignals) one of whose necessary characters it is */
  private readonly regexByChar: (Int32Array | undefined)[] = new Array(65536).fill(undefined);
  /** per pattern: the generation of the last text that holds one of its necessary characters */
  private readonly possible: Uint32Array;
  // per-text buffers, reused (the judge is synchronous)
  private readonly first: (string | undefined)[];
  private readonly aside: (string | undefined)[];
  private readonly order: Float64Array;
  private readonly count: Uint16Array;
  private readonly at: Int32Array;
  private readonly seen: Uint32Array;
  /** the ids of the signals found in the text being scanned (see `mark`) */
  private readonly found: Int32Array;
  private foundCount = 0;
  private readonly marked: Uint32Array;
  /** 1 for each character code in the text being scanned */
  private readonly present = new Uint8Array(65536);
  private generation = 0;

  constructor(signals: readonly CompiledSignal[]) {
    let uid = 0;
    for (const s of signals) {
      s.phrases.forEach((phrase, order) => {
        const c = phrase.charCodeAt(0);
        const slot = (this.byFirst[c] ??= { one: [] as IndexEntry[], two: new Map<number, IndexEntry[]>() });
        const entry = { phrase, signal: s, order, uid: uid++ };
        if (phrase.length === 1) slot.one.push(entry);
        else {
          const d = phrase.charCodeAt(1);
          const list = slot.two.get(d) ?? [];
          list.push(entry);
          slot.two.set(d, list);
        }
      });
    }
    this.size = signals.reduce((m, s) => Math.max(m, s.id + 1), 0);
    this.regexSignals = signals.filter((s) => s.re !== undefined);
    const byChar = new Map<number, number[]>();
    this.regexSignals.forEach((s, r) => {
      for (const c of s.reStarts ?? []) {
        const list = byChar.get(c) ?? [];
        list.push(r);
        byChar.set(c, list);
      }
    });
    for (const [c, list] of byChar) this.regexByChar[c] = Int32Array.from(list);
    this.possible = new Uint32Array(this.regexSignals.length);
    this.first = new Array<string | undefined>(this.size);
    this.aside = new Array<string | undefined>(this.size);
    this.order = new Float64Array(this.size);
    this.count = new Uint16Array(this.size);
    this.at = new Int32Array(this.size);
    this.seen = new Uint32Array(uid);
    this.found = new Int32Array(this.size);
    this.marked = new Uint32Array(this.size);
  }

  scan(text: string, clauses: Clauses, described: readonly number[]): Hits {
    const { first, aside, order, count, at, present } = this;
    const gen0 = this.generation + 1;
    const { regexByChar, possible } = this;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (present[c] === 1) continue;
      present[c] = 1;
      // the patterns that may match now that this character occurs
      const rs = regexByChar[c];
      if (rs) for (let k = 0; k < rs.length; k++) possible[rs[k]!] = gen0;
    }
    first.fill(undefined);
    if (described.length > 0) aside.fill(undefined);
    order.fill(Infinity);
    count.fill(0);
    const gen = ++this.generation;
    const regexSignals = this.regexSignals;
    this.foundCount = 0;
    for (let i = 0; i < text.length; i++) {
      const slot = this.byFirst[text.charCodeAt(i)];
      if (!slot) continue;
      if (slot.one.length) this.visit(slot.one, text, i, clauses, described, gen);
      if (i + 1 < text.length) {
        const two = slot.two.get(text.charCodeAt(i + 1));
        if (two) this.visit(two, text, i, clauses, described, gen);
      }
    }
    for (let r = 0; r < regexSignals.length; r++) {
      const s = regexSignals[r]!;
      const re = s.re!;
      // a pattern none of whose necessary characters occurs cannot match
      if (s.reStarts && possible[r] !== gen) continue;
      if (s.role === 'lowering') {
        // a lowering context counts its distinct markers in the speaker's own words
        let found: Set<string> | undefined;
        re.lastIndex = 0;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          if (m[0].length === 0) re.lastIndex++;
          if (!clauses.own(m.index, m.index + m[0].length)) continue;
          if (first[s.id] === undefined) {
            [first[s.id], at[s.id]] = [m[0], m.index];
            this.mark(s.id, gen);
          }
          (found ??= new Set()).add(m[0]);
        }
        if (found) count[s.id]! += found.size;
        continue;
      }
      // patterns are looked at only when no phrase of the signal was found
      if (first[s.id] !== undefined) continue;
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m[0].length === 0) re.lastIndex++;
        if (s.negatable && negated(text, m.index, m.index + m[0].length)) continue;
        if (!s.literal && described.length > 0 && within(described, m.index, m.index + m[0].length)) {
          if (s.role === 'typed' && aside[s.id] === undefined) {
            aside[s.id] = m[0];
            this.mark(s.id, gen);
          }
          continue;
        }
        first[s.id] = m[0];
        this.mark(s.id, gen);
        at[s.id] = m.index;
        break;
      }
    }
    for (let i = 0; i < text.length; i++) present[text.charCodeAt(i)] = 0;
    const ids = this.found.subarray(0, this.foundCount).sort();
    return { first, order, count, at, aside: described.length > 0 ? aside : NOTHING_ASIDE, ids };
  }

  private visit(list: readonly IndexEntry[], text: string, i: number, clauses: Clauses, described: readonly number[], gen: number): void {
    for (const e of list) {
      if (e.phrase.length > 2 && !text.startsWith(e.phrase, i)) continue;
      const s = e.signal;
      if (s.negatable && negated(text, i, i + e.phrase.length)) continue;
      if (s.role === 'lowering') {
        if (!clauses.own(i, i + e.phrase.length)) continue;
      } else if (!s.literal && described.length > 0 && within(described, i, i + e.phrase.length)) {
        if (s.role === 'typed' && this.aside[s.id] === undefined) {
          this.aside[s.id] = e.phrase;
          this.mark(s.id, gen);
        }
        continue;
      }
      if (this.seen[e.uid] !== gen) {
        this.seen[e.uid] = gen;
        this.count[s.id]!++;
      }
      if (e.order < this.order[s.id]!) {
        this.order[s.id] = e.order;
        this.first[s.id] = e.phrase;
        this.at[s.id] = i;
        this.mark(s.id, gen);
      }
    }
  }

  /** Note that signal `id` was found in the text being scanned (once). */
  private mark(id: number, gen: number): void {
    if (this.marked[id] === gen) return;
    this.marked[id] = gen;
    this.found[this.foundCount++] = id;
  }
}

/**
 * Characters of which a match of a pattern must contain at least one, read
 * from its source: for each alternative, the character set of its first part
 * that must occur (not optional, not a lookaround, not `.`, a negated class
 * or an escape other than \d); undefined when some alternative has none. A
 * text with none of them cannot match, so the pattern is not run on it.
 */
export function mustChars(source: string): Uint16Array | undefined {
  const out = new Set<number>();
  for (const alt of splitTop(source)) {
    const s = mustOf(alt);
    if (!s) return undefined;
    for (const c of s) out.add(c);
  }
  return Uint16Array.from(out);
}

function mustOf(alt: string): Set<number> | undefined {
  let i = 0;
  while (i < alt.length) {
    const ch = alt[i]!;
    let set: Set<number> | undefined;
    let end: number;
    let zeroWidth = false;
    if (ch === '^' || ch === '$') {
      zeroWidth = true;
      end = i + 1;
    } else if (ch === '(') {
      end = closing(alt, i) + 1;
      if (/^\(\?<?[!=]/u.test(alt.slice(i))) zeroWidth = true;
      else {
        const inner = alt.slice(i + 1, end - 1).replace(/^\?:/u, '');
        set = new Set();
        for (const a of splitTop(inner)) {
          const f = mustOf(a);
          if (!f) {
            set = undefined;
            break;
          }
          for (const c of f) set.add(c);
        }
      }
    } else if (ch === '[') {
      end = classEnd(alt, i) + 1;
      if (end <= 0) return undefined;
      set = classChars(alt.slice(i + 1, end - 1));
    } else if (ch === '\\') {
      const e = alt[i + 1];
      end = i + 2;
      if (e === 'd') set = new Set([...'0123456789'].map((c) => c.charCodeAt(0)));
      else if (e === 'b' || e === 'B') zeroWidth = true;
      else if (e === 'p' || e === 'P' || e === 'u' || e === 'x') {
        // \p{…}, \u{…}, \xhh: a character of unknown kind
        const brace = alt[i + 2] === '{' ? alt.indexOf('}', i + 2) : -1;
        end = brace >= 0 ? brace + 1 : e === 'x' ? i + 4 : e === 'u' ? i + 6 : i + 2;
      } else if (e !== undefined && !'wWsSDkcf'.includes(e) && !/[0-9nrtv]/u.test(e)) set = new Set([e.charCodeAt(0)]);
    } else if (ch === '.') {
      end = i + 1;
    } else {
      const cp = alt.codePointAt(i)!;
      end = i + (cp > 0xffff ? 2 : 1);
      if (cp <= 0xffff) set = new Set([cp]);
    }
    // its quantifier: a part that may occur zero times proves nothing
    let min = 1;
    const q = /^(\?|\*|\+|\{(\d*)(,\d*)?\})\??/u.exec(alt.slice(end));
    if (q) {
      if (q[1] === '?' || q[1] === '*') min = 0;
      else if (q[1] !== '+') min = Number(q[2] || 0);
      end += q[0].length;
    }
    if (!zeroWidth && min >= 1 && set) return set;
    i = end;
  }
  return undefined;
}

/** Index of the ] that closes the class opened at `open`. */
function classEnd(source: string, open: number): number {
  for (let i = open + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i;
  }
  return -1;
}

/** The characters of a simple class ([转汇付], [0-9a-z]); undefined for a negated class or an escape other than \d. */
function classChars(body: string): Set<number> | undefined {
  if (body.startsWith('^')) return undefined;
  const out = new Set<number>();
  const cs = [...body];
  for (let i = 0; i < cs.length; i++) {
    let c = cs[i]!;
    if (c === '\\') {
      if (cs[i + 1] !== 'd') return undefined;
      for (const d of '0123456789') out.add(d.charCodeAt(0));
      i++;
      continue;
    }
    if (cs[i + 1] === '-' && i + 2 < cs.length) {
      const from = c.codePointAt(0)!;
      const to = cs[i + 2]!.codePointAt(0)!;
      if (to - from > 200) return undefined;
      for (let x = from; x <= to; x++) out.add(x);
      i += 2;
      continue;
    }
    c = cs[i]!;
    const cp = c.codePointAt(0)!;
    if (cp > 0xffff) return undefined;
    out.add(cp);
  }
  return out;
}

/** The top-level alternatives of a pattern. */
function splitTop(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') i++;
    else if (c === '[') i = Math.max(i, source.indexOf(']', i + 1));
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(source.slice(start, i));
      start = i + 1;
    }
  }
  out.push(source.slice(start));
  return out;
}

/** Index of the parenthesis closing the one at `open`. */
function closing(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') i++;
    else if (c === '[') i = Math.max(i, source.indexOf(']', i + 1));
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return source.length - 1;
}

interface IndexEntry {
  phrase: string;
  signal: CompiledSignal;
  order: number;
  uid: number;
}

function find(s: CompiledSignal, text: string, hits: Hits): string | undefined {
  const phrase = hits.first[s.id];
  if (phrase === undefined) return undefined;
  for (const u of s.unless) if (text.includes(u)) return undefined;
  return phrase;
}

const QUESTION_MARK = '?'.charCodeAt(0);
const AROUND_MARKS = new Set([...',。!?;:~…「」『』“”"\''].map((c) => c.charCodeAt(0)));
/** A text without the punctuation and quotation marks around it (a quoted form reads as the message). */
export function trimMarks(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && AROUND_MARKS.has(text.charCodeAt(a))) a++;
  while (b > a && AROUND_MARKS.has(text.charCodeAt(b - 1))) b--;
  return text.slice(a, b);
}

/**
 * The readings of a message the wording model scores (the highest counts):
 * the message without the asker's questions after it ("……，这是不是骗子？"),
 * and, for each clause at its end that reports what the other side said
 * ("……，对方还说千万别告诉家里人"), the message without it too. A question or
 * an instruction appended to a text adds a reading and removes none, so it
 * can never lower the wording's score.
 */
function wordingBodies(text: string, clauses: Clauses): string[] {
  const out: string[] = [];
  let end = text.length;
  for (let k = clauses.starts.length - 1; k >= 0; k--) {
    const start = clauses.starts[k]!;
    if (start >= end) continue;
    const cut = Math.min(end, clauses.questionAt[k]!, clauses.ends[k]!);
    // a clause at the end that ends in a question mark may be the asker's question, whatever its words
    // (……，警方提醒说这种都是骗局吗？): the reading with it and the one without it both count
    if (cut > start && text.charCodeAt(clauses.ends[k]! - 1) === QUESTION_MARK && k > 0) {
      const body = trimMarks(text.slice(0, cut));
      if (body.length > 0) out.push(body);
      end = start;
      continue;
    }
    // an empty clause, or only the asker's question: not the message
    if (cut <= start) {
      end = start;
      continue;
    }
    const body = trimMarks(text.slice(0, cut));
    if (body.length > 0) out.push(body);
    if (!clauses.reported[k] || k === 0) break;
    end = start;
  }
  if (out.length === 0) out.push(trimMarks(text) || text);
  return out;
}

/**
 * The text the wording model reads: the message without the asker's
 * questions after it ("……，这是不是骗子？"), which say nothing about the
 * message. The rules still read them.
 */
export function wordingOf(text: string, clauses: Clauses = new Clauses(text)): string {
  let k = clauses.starts.length - 1;
  let end = text.length;
  while (k > 0) {
    const start = clauses.starts[k]!;
    const empty = start === clauses.ends[k];
    if (!empty && !clauses.onlyQuestion(k)) {
      end = Math.min(end, clauses.questionAt[k]!, clauses.ends[k]!);
      break;
    }
    end = start;
    k--;
  }
  const body = text.slice(0, end);
  return body.length > 0 ? body : text;
}
