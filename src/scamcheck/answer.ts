import type { Segment } from '../audience/segments.js';
import { RISK_LABEL, type ScamAssessment } from './judge.js';
import type { ScamRules } from './rules.js';
import { maskText } from './mask.js';

/** At most this many signals are quoted back to the member. */
const MAX_QUOTED = 4;
const MAX_QUOTE_CHARS = 12;
/** What the member says of themselves (money already gone) is no signal of the scam to quote back. */
const NOT_SCAM_SIGNALS = new Set(['lost', 'doubt']);

/**
 * The bot's answer to "is this a scam?" in plain zh-CN: risk level, the most
 * likely type, the signals found (quoted), what to do now (the type's official
 * advice, 三不一多, 96110 / 110 / 国家反诈中心APP). A low-risk answer still
 * says how to verify through an official channel. Pure.
 */
export function renderScamAnswer(a: ScamAssessment, rules: ScamRules, o: { segment?: Segment | undefined; cutAt?: number | undefined } = {}): string {
  const opener = o.segment ? rules.always.openers[o.segment] : '';
  const lines = [`${opener}风险等级：${RISK_LABEL[a.risk]}`];
  if (a.risk !== 'low' && a.signals.some((s) => s.tag === 'lost')) lines.push(rules.always.moneyGone);
  if (a.risk !== 'low') {
    lines.push(a.type === 'other' ? '最可能是：其他类型的诈骗' : `最可能是：${a.typeName}类诈骗`);
  }
  const quoted: string[] = [];
  for (const s of a.signals) {
    // a link or number is never repeated to the group, and a long pattern match is no phrase to quote
    const phrase = maskText(s.phrase) === s.phrase ? s.phrase : s.label;
    if (s.w < 2 || (s.tag && NOT_SCAM_SIGNALS.has(s.tag)) || quoted.length >= MAX_QUOTED || [...phrase].length > MAX_QUOTE_CHARS) continue;
    if (quoted.some((q) => q.includes(phrase) || phrase.includes(q))) continue;
    quoted.push(phrase);
  }
  if (quoted.length && a.risk !== 'low') lines.push(`发现的信号：${quoted.map((q) => `“${q}”`).join('')}`);
  if (a.lowered) lines.push(`（这段话像是${a.lowered.label}，所以风险判断较低。）`);
  if (a.risk === 'low') lines.push(rules.always.verifyLow);
  else lines.push(`现在请这样做：${rules.types[a.type]?.advice ?? rules.types['other']!.advice}`);
  lines.push(rules.always.sanBuYiDuo, rules.always.numbers);
  if (o.cutAt !== undefined) lines.push(`（内容较长，只看了前${o.cutAt}个字。）`);
  return lines.join('\n');
}
