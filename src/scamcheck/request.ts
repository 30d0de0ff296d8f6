
/** Fewer characters than this (besides the mention) is not something to check. */
export const MIN_CHECK_CHARS = 6;

const MENTION = /@[^\s\u2005@]+[\u2005\s]?/gu;

export type CheckRequest = { kind: 'check'; text: string; quoted: boolean } | { kind: 'hint' } | { kind: 'none' };

/** What a member sent the bot: their own words, and the message they quoted (see InboundMessage). */
export interface AskedText {
  text: string;
  quoted?: { name: string; text: string; fromBot: boolean } | undefined;
}

/**
 * What a member wants when they @-mention the bot (or write to it
 * privately): a check of the text they quote or wrote, a hint on how to ask
 * ("这是诈骗吗？" with nothing to check: a reviewed question sign of
 * content/engagement/keywords.yaml), or nothing (a thank-you). A quote of
 * the bot's own post is a reply to it, never a check — known only by
 * `fromBot` (the bot's own account said it), never by the name shown: anyone
 * can take the bot's display name as their group nickname, and a message of
 * theirs is checked like any other. Pure.
 */
export function checkRequest(m: AskedText, o: { questionSigns: readonly string[] }): CheckRequest {
  const quote = m.quoted;
  if (quote?.fromBot) return { kind: 'none' };
  const own = m.text.replace(MENTION, '').trim();
  const text = quote ? `${quote.text}\n${own}`.trim() : own;
  const substance = text.replace(/[\s\p{P}]/gu, '');
  if (substance.length >= MIN_CHECK_CHARS && (quote || !isOnlyQuestion(substance))) return { kind: 'check', text, quoted: !!quote };
  return o.questionSigns.some((q) => own.includes(q)) ? { kind: 'hint' } : { kind: 'none' };
}

/** "这是诈骗吗" / "是真的吗" alone carries nothing to judge. */
function isOnlyQuestion(s: string): boolean {
  return /^(这|那|这个|那个|它|他|她)?(是|算)?(不是)?(真的|诈骗|骗子|骗局|假的)?(吗|嘛|么|呢)?(真的假的)?$/u.test(s);
}
