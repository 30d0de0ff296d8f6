/**
 * Mask what identifies a person or an account in a text kept as a tip:
 * links, ID numbers, bank card numbers, phone numbers and other long digit
 * runs. Amounts and short numbers (96110, 110) stay. Pure.
 */
const MASKS: readonly [RegExp, string][] = [
  [/(?:https?:\/\/|www\.)[^\s，。！？、）)]+|[a-z0-9-]{2,}\.(?:top|xyz|vip|cc|club|icu|shop|cn|com|net|ltd|site|online|info)(?:\/[^\s，。！？]*)?(?![a-z])/giu, '[链接]'],
  [/(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?!\d)/gu, '[身份证号]'],
  [/(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?:[ -]?\d{1,3})?(?!\d)|(?<!\d)\d{16,19}(?!\d)/gu, '[银行卡号]'],
  [/(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/gu, '[手机号]'],
  [/(?<!\d)(?:0\d{2,3}-?\d{7,8}|[48]00-?\d{3}-?\d{4})(?!\d)/gu, '[电话]'],
  [/(?<!\d)(?:\+|00)\d{6,}(?!\d)/gu, '[境外号码]'],
  [/(qq|微信|vx|wx)[号:：\s]*[a-z0-9_-]{5,20}/giu, '$1[账号]'],
  [/(?<!\d)\d{7,}(?!\d)/gu, '[号码]'],
];

export function maskText(text: string): string {
  let out = text;
  for (const [re, to] of MASKS) out = out.replace(re, to);
  return out;
}
