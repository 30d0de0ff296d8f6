import type { Segment } from '../audience/segments.js';
import type { ScamAssessment } from './judge.js';
import type { ScamRules } from './rules.js';
import { maskText } from './mask.js';

/** At most this many signals are quoted back to the member (two in the short form). */
const MAX_QUOTED = 4;
const MAX_QUOTE_CHARS = 12;
/** What the member says of themselves (money already gone, their doubt) is no signal of the scam to quote back. */
const NOT_SCAM_SIGNALS = new Set(['lost', 'paid', 'doubt', 'money', 'urgency', 'contact', 'claim']);
/** Signals that say a relative or friend (or a boss) is asking from a new number: verify by calling them back. */
const KIN_TAGS = new Set(['kin', 'newnumber']);
/** Only a phrase with digits, Latin letters or Chinese numerals can hold a number or a link to mask. */
const MAYBE_NUMBER_OR_LINK = /[0-9a-z]|[零〇一幺二两三四五六七八九]{7}/iu;

/**
 * The bot's answer to "is this a scam?" in plain zh-CN. The first line is
 * one plain sentence in the asker's register:
 *
 * - 高: "这很可能是骗局：先别转钱、别点链接、别给验证码。"
 * - 中: "有可疑的地方，先核实再说。"
 * - 低: "暂时没看出骗局的迹象，但……" and how to check it anyway.
 *
 * Then, for 高 and 中, the most likely type, what looked wrong (quoted, never
 * a number or a link), what to do (the type's official advice), 三不一多 and
 * the numbers (96110 to ask, 110 when money has gone). Elderly groups get the
 * shortest form: the first line, the type in everyday words, one plain
 * sentence of advice and the two numbers. A message from a relative or friend
 * in trouble is checked by calling them back on the number already known —
 * never through a customer-service number. Pure.
 *
 * @example
 * renderScamAnswer(judge.assess('我是你表哥，换了新号，急需2万'), rules, { segment: 'elderly' })
 * // 叔叔阿姨，这很可能是骗局：先别转钱、别点链接、别给验证码。
 * // 这像是：冒充领导、亲戚、熟人借钱。
 * // …
 */
export function renderScamAnswer(a: ScamAssessment, rules: ScamRules, o: { segment?: Segment | undefined; cutAt?: number | undefined } = {}): string {
  const short = o.segment === 'elderly';
  const opener = o.segment ? rules.always.openers[o.segment] : '';
  const type = rules.types[a.type] ?? rules.types['other']!;
  const kin = a.type === 'boss' || a.signals.some((s) => s.tag !== undefined && KIN_TAGS.has(s.tag) && s.w >= 2);
  const verify = kin ? rules.always.verifyKin : (type.verify ?? rules.always.verifyLow);
  const moneyGone = a.signals.some((s) => s.tag === 'lost' || s.tag === 'paid');
  const lines: string[] = [];

  if (a.risk === 'low') {
    // 暂时没看出骗局的迹象，但…… (or what the text looks like: a police warning, a notice that asks for nothing)
    const context = a.lowered ? rules.lowering.find((l) => l.label === a.lowered!.label) : undefined;
    if (context?.says) {
      // a relative or friend is checked on the number already known, anything else through the official channel
      lines.push(`${opener}${rules.always.lead.low.replace(/[，,]?但$/u, '')}：${context.says}`, `但${kin ? rules.always.verifyKin : rules.always.verifyLow}`);
    } else lines.push(`${opener}${rules.always.lead.low}${verify}`);
    lines.push(short ? rules.always.numbersShort : rules.always.numbers);
  } else {
    lines.push(`${opener}${rules.always.lead[a.risk]}`);
    if (moneyGone) lines.push(rules.always.moneyGone);
    if (short) {
      if (a.type !== 'other') lines.push(`这像是：${type.plainName ?? a.typeName}。`);
      lines.push(kin ? rules.always.verifyKin : (type.plain ?? type.advice));
      lines.push(rules.always.numbersShort);
    } else {
      lines.push(a.type === 'other' ? '最可能是：其他类型的诈骗' : `最可能是：${a.typeName}类诈骗`);
      const wrong = whatLookedWrong(a);
      if (wrong) lines.push(wrong);
      lines.push(`现在请这样做：${type.advice}`);
      if (a.risk === 'medium' || kin) lines.push(`怎么核实：${verify}`);
      lines.push(rules.always.sanBuYiDuo, rules.always.numbers);
    }
  }
  if (o.cutAt !== undefined) lines.push(`（内容较长，只看了前${o.cutAt}个字。）`);
  return lines.join('\n');
}

/**
 * What looked wrong: the scam's own words quoted (strongest first), then
 * what a pattern found, in words (要求转账付款); never a link or a number.
 */
function whatLookedWrong(a: ScamAssessment): string | undefined {
  const quoted: string[] = [];
  const described: string[] = [];
  for (const s of a.signals) {
    if (s.w < 2 || (s.tag && NOT_SCAM_SIGNALS.has(s.tag))) continue;
    // a pattern's match is a stretch of the text, not a phrase to quote; a link or a number is never repeated to the group
    if (s.pattern || [...s.phrase].length > MAX_QUOTE_CHARS || (MAYBE_NUMBER_OR_LINK.test(s.phrase) && maskText(s.phrase) !== s.phrase)) {
      if (!described.includes(s.label)) described.push(s.label);
      continue;
    }
    if (quoted.some((q) => q.includes(s.phrase) || s.phrase.includes(q))) continue;
    quoted.push(s.phrase);
  }
  const q = quoted.slice(0, MAX_QUOTED).map((p) => `“${p}”`).join('');
  const d = described.slice(0, Math.max(0, MAX_QUOTED - quoted.length)).slice(0, 2).join('、');
  if (!q && !d) return undefined;
  return `可疑的地方：${q}${q && d ? '；' : ''}${d}`;
}
