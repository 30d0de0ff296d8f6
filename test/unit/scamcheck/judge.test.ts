import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../../../src/config/paths.js';
import { loadScamCheck } from '../../../src/scamcheck/desk.js';
import { evaluate, parseEvalFile } from '../../../src/scamcheck/eval.js';
import { SCAMCHECK_BARS } from '../../../src/cli/scamcheck-commands.js';

const { judge } = loadScamCheck(paths.content);
const evalOf = (name: string) => {
  const file = join(paths.root, 'test', 'fixtures', 'scamcheck', name);
  return evaluate(parseEvalFile(readFileSync(file, 'utf8'), file, judge), judge);
};

describe('the scam judge on the labelled evaluation sets', () => {
  it('should meet the bars on the 320-text evaluation set (every official type, at least half of the normal texts hard negatives)', () => {
    const r = evalOf('eval.jsonl');
    expect(r.size).toBeGreaterThanOrEqual(300);
    expect(new Set(Object.keys(r.confusion)).size).toBe(15);
    expect(r.recall).toBeGreaterThanOrEqual(SCAMCHECK_BARS.recall);
    expect(r.falseAlarmRate).toBeLessThanOrEqual(SCAMCHECK_BARS.falseAlarmRate);
    expect(r.typeAccuracy).toBeGreaterThanOrEqual(SCAMCHECK_BARS.typeAccuracy);
  });

  it('should meet the bars on texts written after the rules were frozen and never used to tune them', () => {
    const r = evalOf('unseen.jsonl');
    expect(r.recall).toBeGreaterThanOrEqual(SCAMCHECK_BARS.recall);
    expect(r.falseAlarmRate).toBeLessThanOrEqual(SCAMCHECK_BARS.falseAlarmRate);
    expect(r.typeAccuracy).toBeGreaterThanOrEqual(SCAMCHECK_BARS.typeAccuracy);
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
