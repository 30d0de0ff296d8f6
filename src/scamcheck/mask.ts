/**
 * Mask what identifies a person or an account in a text kept as a tip:
 * links (any domain, IP addresses, short links), e-mail addresses, ID
 * numbers, bank card numbers, phone numbers and other long digit runs —
 * also when typed in full-width digits, split by spaces, dashes or dots, or
 * written in Chinese numerals (一三八…, 幺三九…). Amounts, dates, flight and
 * train numbers and the short official numbers (96110, 110, 12306, 95588)
 * stay readable. Pure.
 *
 * @example
 * maskText('打给１３８１２３４５６７８，或点 t.cn/A6xYz9') // '打给[手机号]，或点 [链接]'
 */
export function maskText(text: string): string {
  let out = halfWidth(text);
  out = out.replace(CHINESE_NUMBER, (run) => {
    const digits = [...run].map((c) => CHINESE_DIGIT[c]).join('');
    return /^1[3-9]\d{9}$/u.test(digits) ? '[手机号]' : '[号码]';
  });
  for (const [re, to] of MASKS) out = out.replace(re, to as string);
  return out;
}

/**
 * Full-width digits and letters (１３８, ＡＢＣ) and the characters numbers and
 * addresses are built with (＋ － ． ／ ＠ ＿ and the ideographic space) as
 * plain ASCII, so every form below is one form; Chinese punctuation (，：) stays.
 */
function halfWidth(text: string): string {
  return text.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff0b\uff0d\uff0e\uff0f\uff20\uff3f\u3000]/gu, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

const CHINESE_DIGIT: Record<string, string> = { 零: '0', 〇: '0', 一: '1', 幺: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
/** Seven or more digits read out in Chinese (amounts use 十/百/千/万 and stay). */
const CHINESE_NUMBER = /[零〇一幺二两三四五六七八九]{7,}/gu;

/** A domain name: labels of letters, digits and dashes, ending in a top-level domain of letters. */
const DOMAIN = String.raw`(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}`;
const IPV4 = String.raw`(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}`;
/** What may follow a host: a port, a path, a query (up to a space or Chinese punctuation). */
const REST = String.raw`(?::\d{2,5})?(?:[/?#][^\s，。！？、）)」”\]]*)?`;
/** One optional space, dash or dot between two digits. */
const SEP = '[ .-]?';

const MASKS: readonly [RegExp, string][] = [
  // links: with a scheme or www., an IP address, or a bare domain (not part of an e-mail address)
  [new RegExp(String.raw`(?:https?://|www\.)[^\s，。！？、）)」”\]]+`, 'giu'), '[链接]'],
  [/[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}/giu, '[邮箱]'],
  [new RegExp(String.raw`(?<![\d.])${IPV4}(?![\d.]*\d)${REST}`, 'gu'), '[链接]'],
  [new RegExp(String.raw`(?<![a-z0-9@._-])${DOMAIN}(?![a-z0-9-])${REST}`, 'giu'), '[链接]'],
  // ID numbers: 6 area + 8 birth date + 3 + check digit, groups split by a space or dash
  [/(?<![\dXx])\d{6}[ -]?(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[ -]?\d{3}[\dXx](?![\dXx])/gu, '[身份证号]'],
  [new RegExp(String.raw`(?<![\dXx])(?=(?:\d[ -]?){17}[\dXx](?![\dXx]))\d{4}[ -]?\d{2}(?:19|20)[ -]?\d{2}(?:0[1-9]|1[0-2])[ -]?(?:0[1-9]|[12]\d|3[01])\d{2}[ -]?\d{1}[\dXx]`, 'gu'), '[身份证号]'],
  // bank cards: 16–19 digits, in groups or not
  [/(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?:[ -]?\d{1,3})?(?!\d)|(?<!\d)\d{16,19}(?!\d)/gu, '[银行卡号]'],
  // mobile phones: 11 digits from 13x–19x, with +86 or not, split any way by single spaces, dashes or dots
  [new RegExp(String.raw`(?<![\d.])(?:\+?86[ -]?)?1[3-9]\d(?:${SEP}\d){8}(?![\d])(?!\.\d)`, 'gu'), '[手机号]'],
  [/(?<!\d)(?:0\d{2,3}-?\d{7,8}|[48]00-?\d{3}-?\d{4})(?!\d)/gu, '[电话]'],
  [/(?<!\d)(?:\+|00)\d{6,}(?!\d)/gu, '[境外号码]'],
  [/(qq|微信|vx|wx)[号:：\s]*[a-z0-9_-]{5,20}/giu, '$1[账号]'],
  // any other run of 7 or more digits, split by single spaces at most (a date's dashes stay)
  [/(?<![\d.,])\d(?: ?\d){6,}(?![\d.,])/gu, '[号码]'],
];
