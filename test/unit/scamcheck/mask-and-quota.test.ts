import { describe, expect, it } from 'vitest';
import { maskText } from '../../../src/scamcheck/mask.js';
import { CheckQuota } from '../../../src/scamcheck/quota.js';
import { checkRequest } from '../../../src/scamcheck/request.js';
import { parseQuote } from '../../../src/channels/wechaty/quote.js';
import { quoteText } from '../../../src/sim/member-behaviour.js';
import { loadEngagementWords } from '../../../src/config/engagement-words.js';
import { paths } from '../../../src/config/paths.js';

describe('masking a tip', () => {
  it.each([
    ['打给 13812345678 或 +86 138-1234-5678', '打给 [手机号] 或 [手机号]'],
    ['卡号 6222 0212 3456 7890 123，另一张6217001234567890', '卡号 [银行卡号]，另一张[银行卡号]'],
    ['身份证350102199001011234', '身份证[身份证号]'],
    ['点 http://x-refund.top/a?b=1 或 www.abc.com 或 pay-now.vip', '点 [链接] 或 [链接] 或 [链接]'],
    ['座机0591-87654321，400-123-4567', '座机[电话]，[电话]'],
    ['加QQ 384756201 或微信 wx_abc123', '加QQ[账号] 或微信[账号]'],
    ['境外号码 0085212345678', '境外号码 [境外号码]'],
  ])('%s', (input, masked) => {
    expect(maskText(input)).toBe(masked);
  });

  it('should keep amounts, dates and the official numbers', () => {
    const t = '转了20000元，11月24日，打96110或110';
    expect(maskText(t)).toBe(t);
  });
});

describe('checks per member', () => {
  it('should allow the configured checks per window, then one note, then silence, and free up as the window slides', () => {
    const q = new CheckQuota(2, 60_000);
    expect(q.take('m', 0)).toBe('ok');
    expect(q.take('m', 10_000)).toBe('ok');
    expect(q.take('m', 20_000)).toBe('limited');
    expect(q.take('m', 30_000)).toBe('silent');
    expect(q.take('other', 30_000)).toBe('ok');
    expect(q.minutesUntilFree('m', 30_000)).toBe(1);
    expect(q.take('m', 60_001)).toBe('ok'); // the first check left the window
    expect(q.take('m', 60_002)).toBe('limited');
  });
});

describe('what a member asks the bot', () => {
  const self = { questionSigns: loadEngagementWords(paths.content).questionSigns };
  /** A group message as the WeChat channel hands it over (a quote split from the reply; nobody here is the bot's own account). */
  const asked = (raw: string) => {
    const q = parseQuote(raw);
    return q ? { text: q.reply, quoted: { name: q.quotedName, text: q.quoted, fromBot: false } } : { text: raw };
  };
  it('should check the text of an @-mention without the mention', () => {
    expect(checkRequest(asked('@反诈宣传员\u2005有人让我刷单返利先垫付'), self)).toEqual({ kind: 'check', text: '有人让我刷单返利先垫付', quoted: false });
  });
  it('should check a quoted message together with the question', () => {
    const r = checkRequest(asked(quoteText('张三', '免费领鸡蛋，听专家讲座', '@反诈宣传员\u2005这是诈骗吗？')), self);
    expect(r).toEqual({ kind: 'check', text: '免费领鸡蛋，听专家讲座\n这是诈骗吗？', quoted: true });
  });
  it('should give a hint for a bare question, nothing for thanks, and never check a quote of its own post', () => {
    expect(checkRequest(asked('@反诈宣传员\u2005这是诈骗吗？'), self).kind).toBe('hint');
    expect(checkRequest(asked('@反诈宣传员\u2005辛苦了'), self).kind).toBe('none');
    // the bot's own account said it (the channel knows by the account, never by the name)
    const own = parseQuote(quoteText('反诈宣传员', '【防骗提醒】刷单都是诈骗', '@反诈宣传员\u2005真的吗？'))!;
    expect(checkRequest({ text: own.reply, quoted: { name: own.quotedName, text: own.quoted, fromBot: true } }, self).kind).toBe('none');
  });
  it('should check a quote shown under the bot\'s name that its account never said: anyone can take that name as their group nickname', () => {
    for (const quoted of ['今晚8点群里发福利，大家先私我报名，报个手机号和收到的6位码', '【防骗提醒】刷单都是诈骗']) {
      const r = checkRequest(asked(quoteText('反诈宣传员', quoted, '@反诈宣传员\u2005真的吗？')), self);
      expect(r).toEqual({ kind: 'check', text: `${quoted}\n真的吗？`, quoted: true });
    }
  });
});
