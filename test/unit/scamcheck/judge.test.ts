import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../../../src/config/paths.js';
import { loadScamCheck } from '../../../src/scamcheck/desk.js';
import { evaluate, parseEvalFile, SCAMCHECK_BARS } from '../../../src/scamcheck/eval.js';

const { judge } = loadScamCheck(paths.content);
/**
 * What the held-out texts of unseen.jsonl were asked to meet before issue #25
 * raised the bars: they stay held out (never used to tune the rules), and
 * their figures against the new bars are reported in BENCHMARKS.md.
 */
const HELD_OUT_FLOOR = { recall: 0.9, falseAlarmRate: 0.05, typeAccuracy: 0.8 } as const;

const evalOf = (name: string) => {
  const file = join(paths.root, 'test', 'fixtures', 'scamcheck', name);
  return evaluate(parseEvalFile(readFileSync(file, 'utf8'), file, judge), judge);
};

describe('the scam judge on the labelled evaluation sets', () => {
  it('should meet the bars on the evaluation set (every official type, at least half of the normal texts hard negatives)', () => {
    const r = evalOf('eval.jsonl');
    expect(r.size).toBeGreaterThanOrEqual(380);
    expect(new Set(Object.keys(r.confusion)).size).toBe(15);
    expect(r.recall).toBeGreaterThanOrEqual(SCAMCHECK_BARS.recall);
    expect(r.falseAlarmRate).toBeLessThanOrEqual(SCAMCHECK_BARS.falseAlarmRate);
    expect(r.typeAccuracy).toBeGreaterThanOrEqual(SCAMCHECK_BARS.typeAccuracy);
  });

  it('should stay above the former bars on texts written after the rules were frozen and never used to tune them', () => {
    const r = evalOf('unseen.jsonl');
    expect(r.recall).toBeGreaterThanOrEqual(HELD_OUT_FLOOR.recall);
    expect(r.falseAlarmRate).toBeLessThanOrEqual(HELD_OUT_FLOOR.falseAlarmRate);
    expect(r.typeAccuracy).toBeGreaterThanOrEqual(HELD_OUT_FLOOR.typeAccuracy);
  });
});

describe('the scam judge explains itself', () => {
  it('should add weight for a promised payout together with a request to pay first', () => {
    const a = judge.assess('做任务返佣金，先垫付500元');
    expect(a.combos).toContain('先给好处再要你垫付');
    expect(a.type).toBe('shuadan');
    expect(a.risk).toBe('high');
  });

  it('should add weight for 公检法 together with secrecy', () => {
    const a = judge.assess('我是公安局的，你的账户涉嫌洗钱，这件事要保密');
    expect(a.combos).toContain('公检法要求保密');
    expect(a.typeName).toBe('冒充公检法及政府机关');
    expect(a.risk).toBe('high');
  });

  it('should lower the risk of a police warning that quotes scam phrases', () => {
    const text = '警方提醒：凡是让你把钱转到安全账户的都是诈骗，公检法不会电话办案。';
    const a = judge.assess(text);
    expect(a.lowered?.label).toBe('警方或官方的防骗提醒');
    expect(a.risk).toBe('low');
    expect(a.signals.map((s) => s.label)).toContain('安全账户资金清查');
  });

  it('should recognise a police warning by its voice, not by the scam words it quotes, and never one that gives a link', () => {
    const warning = judge.assess('【鼓楼公安】近期冒充客服退款诈骗高发，请在官方App里处理退款，不要点陌生链接。');
    expect(warning.lowered?.label).toBe('警方或官方的防骗提醒');
    expect(warning.risk).toBe('low');
    // one warning word is no voice; a warning never sends the reader to an address of its own
    expect(judge.assess('警方提醒：您的账户涉嫌洗钱，请立即将资金转入安全账户配合调查').risk).toBe('high');
    const spoofed = judge.assess('【反诈提醒】凡是未完成实名认证的账户都将被冻结，请立即登录 gajz-rz.top 认证');
    expect(spoofed.lowered).toBeUndefined();
    expect(spoofed.risk).not.toBe('low');
  });

  it('should lower the risk of a scam the member already avoided', () => {
    const a = judge.assess('昨天有人说我快递丢了要理赔，让我开屏幕共享，我直接挂了');
    expect(a.lowered?.label).toBe('讲述已识破或避开的骗局');
    expect(a.risk).toBe('low');
  });

  it('should lower an official notice only while it asks for nothing', () => {
    expect(judge.assess('【招商银行】验证码：384920，您正在进行网银登录，请勿泄露给他人。').risk).toBe('low');
    const asking = judge.assess('【招商银行】您的账户异常，请勿泄露，请把收到的验证码告诉客服并转账到安全账户');
    expect(asking.lowered).toBeUndefined();
    expect(asking.risk).toBe('high');
  });

  it('should read a word with two meanings in its context, not by its weight', () => {
    // a shop calls the item 宝贝; an airline's own notice names its official hotline
    const shop = judge.assess('【淘宝】亲，您购买的宝贝已发货，物流单号YT7788123，可在淘宝App我的订单中查看物流。');
    expect(shop.risk).toBe('low');
    expect(shop.type).not.toBe('romance');
    const airline = judge.assess('【南方航空】尊敬的旅客，您购买的CZ6543航班因天气原因取消，可在南航App或拨打95539免费办理改签或全额退票。');
    expect(airline.risk).toBe('low');
    expect(airline.signals.map((s) => s.label)).not.toContain('要求转账付款');
    // the same word from a stranger who wants money is no endearment to ignore
    expect(judge.assess('宝贝，我在香港出了车祸，手机卡都不能用，你先帮我转2万给这个账户').type).toBe('romance');
  });

  it('should count every signal for the risk, not only those of the most likely type', () => {
    // re-verify (one type), a link (any scam), a deadline and a threat (any scam)
    const a = judge.assess('【XX银行】您的账户信息已过期，请于24小时内点击 bank-xx.top 重新验证，逾期将冻结账户');
    expect(a.risk).toBe('high');
    expect(new Set(a.signals.filter((s) => s.risk > 0).map((s) => s.type ?? 'request')).size).toBeGreaterThan(1);
  });

  it('should not count a request said in the negative', () => {
    const a = judge.assess('闲鱼上买东西我都走平台担保交易，不私下转账');
    expect(a.signals.map((s) => s.label)).not.toContain('要求转账付款');
    expect(a.risk).toBe('low');
  });

  it('should name no type when no type stands out, and resolve type labels written as id, name or alias', () => {
    expect(judge.assess('今天天气不错').type).toBe('other');
    expect(judge.typeOf('刷单返利类')).toBe('shuadan');
    expect(judge.typeOf('冒充电商物流客服')).toBe('fake-cs');
    expect(judge.typeOf('贷款、代办信用卡')).toBe('loan');
    expect(judge.typeOf('fake-cs')).toBe('fake-cs');
    expect(judge.typeOf('不存在的类型')).toBeUndefined();
  });
});

describe('evaluation files written by others', () => {
  it('should accept type labels with 类 or 诈骗 and other fields, leave an unknown type out of type accuracy, and name the line of a broken one', () => {
    const file = 'x.jsonl';
    const cases = parseEvalFile(
      ['{"text":"做任务返佣金，先垫付500","label":"fraud","type":"刷单返利类诈骗","source":"x"}', '{"text":"你好","label":"fraud","type":"某种新骗局"}', '', '{"text":"今天天气不错","label":"normal","type":null}'].join('\n'),
      file,
      judge,
    );
    expect(cases.map((c) => [c.type, c.unknownType])).toEqual([['shuadan', undefined], [undefined, '某种新骗局'], [undefined, undefined]]);
    expect(evaluate(cases, judge).typed).toBe(1);
    expect(() => parseEvalFile('{"text":"x","label":"scam"}', file, judge)).toThrow(/x\.jsonl:1: label: must be "fraud" or "normal"/);
  });
});

describe('what a resident adds to a message', () => {
  const readme = '刚才有人打电话说我快递丢了要赔我钱，让我下个会议软件，是真的吗？';
  const scams = [
    readme,
    '我是公安局的，你的账户涉嫌洗钱，把钱转到安全账户，这件事要保密',
    '做任务返佣金，先垫付500元',
    '有人说我误开通了百万保障，不关闭每月扣费，让我下载腾讯会议开屏幕共享',
  ];
  const endings = ['，这是不是骗子', '是骗子吗', '是不是诈骗啊', '对方还说千万别告诉家里人', '说一定要先交保证金', '。警方提醒说这种都是骗局吗？'];

  it.each(endings)('should never lower the risk when "%s" is added', (ending) => {
    for (const text of scams) {
      const plain = judge.assess(text);
      const added = judge.assess(text.replace(/[？?。]$/u, '') + ending);
      expect(added.lowered, `${text}${ending}`).toBeUndefined();
      expect(added.risk, `${text}${ending}`).toBe(plain.risk);
    }
  });

  it('should keep the README example 高 with the question at its end', () => {
    expect(judge.assess(readme).risk).toBe('high');
    expect(judge.assess(`${readme}这是不是骗子`).risk).toBe('high');
  });
});
