import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../../../src/config/paths.js';
import { loadScamCheck } from '../../../src/scamcheck/desk.js';
import { evaluate, parseEvalFile, robustVariants, SCAMCHECK_BARS } from '../../../src/scamcheck/eval.js';
import { compileScamJudge, mustChars, normalizeForMatch } from '../../../src/scamcheck/judge.js';
import { loadScamRules } from '../../../src/scamcheck/rules.js';

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
  const evalTexts = readFileSync(join(paths.root, 'test', 'fixtures', 'scamcheck', 'eval.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text);

  it('should make the score of the wording, the capped rules and the lowering, with the weights of rules.yaml', () => {
    const { rules } = loadScamCheck(paths.content);
    const w = rules.statistical;
    let lowered = 0;
    for (const text of evalTexts) {
      const a = judge.assess(text);
      const { wording, ruleScore, factor } = a.evidence;
      // the parts are rounded to 0.01 each, the score once
      expect(Math.abs(a.score - (wording + w.rules * Math.min(ruleScore, w.rulesCap) + w.lowering * Math.log(factor))), text).toBeLessThan(0.02);
      expect(factor).toBe(a.lowered?.factor ?? 1);
      if (factor < 1) lowered++;
    }
    expect(lowered).toBeGreaterThan(10);
  });

  it('should answer 高 only for a text that asks the reader for something', () => {
    let high = 0;
    for (const text of evalTexts) {
      const a = judge.assess(text);
      if (a.risk !== 'high') continue;
      high++;
      expect(a.asks, text).toBe(true);
    }
    expect(high).toBeGreaterThan(100);
    // a pitch that asks nothing yet is 中 (有可疑的地方，先核实再说), not 高
    const pitch = judge.assess('你好，我是XX证券的投资顾问，我们有个虚拟货币挖矿项目，高回报日收益2%，要不要了解一下');
    expect(pitch.asks).toBe(false);
    expect(pitch.score).toBeGreaterThanOrEqual(loadScamCheck(paths.content).rules.thresholds.high);
    expect(pitch.risk).toBe('medium');
  });

  it('should hear a request of the reader in each of its forms and answer 高: a fee or a deposit, money put in, a number to call, a contact, an app, a signature, an order, a favour, a loan to verify, orders to follow, a price', () => {
    const rules = loadScamRules(paths.content);
    // the same judge without the request forms (rules.yaml `asks` with `risk: 0`) answers these 中
    const without = compileScamJudge({ ...rules, asks: rules.asks.filter((s) => !(s.risk === 0 && s.asking === true)) });
    const asked = [
      '卖家说海关扣了，要补缴关税1500元才能发货',
      '你先转我定金300，我帮你留着',
      '任务还差两单，做完才能提现',
      '这个币马上要涨，你拿两万跟我一起上车',
      '请立即致电400-8xx-1234办理退款',
      '你的社保卡异常，现在帮你转接市公安局',
      '纯种布偶猫幼崽99元包邮，名额有限，想要的加V：abc12345',
      '您好，我是XX银行信贷部的，可以给您办一笔信用贷，额度30万，需要下载我们的“XX银行信贷”APP申请',
      '阿姨，以房养老项目，您把房子抵押给我们，每月领一万养老金，还送养老院床位',
      '我们连队要订一批被子，你先帮我们进货，月底一起结',
      '免费体检听健康讲座，明天早上来签到就送鸡蛋，专家说磁疗床能治高血压',
      '喂，是我啊，我换号了，听不出来了？帮我个忙',
      '老同学，我是张伟，换号了，存一下我的新号，明天到我这边来一趟',
      '额度不足，需要先借备用金验证账户',
      '群里老师说主力已经建仓，明天涨幅30%以上，请严格按老师指令操作，切勿外传',
      '修复征信收费2000元，包成功',
    ];
    for (const text of asked) {
      const a = judge.assess(text);
      expect([a.risk, a.asks], text).toEqual(['high', true]);
      expect(without.assess(text).risk, text).toBe('medium');
    }
    // 不够 and 不足 say too little, not no: the request after them is asked
    expect(judge.assess('客服说我的账户等级不够，要先充够五万才能提现').signals.map((s) => s.label)).toContain('要你先交钱');
    // a paid bill, news and a pitch that asks nothing yet are no request
    for (const text of ['【国家电网】您家本月电费86元已从绑定账户自动扣缴成功。', '今天航班延误了两个小时，刚落地', '你好，我是XX证券的投资顾问，我们有个虚拟货币挖矿项目，高回报日收益2%，要不要了解一下']) {
      expect(judge.assess(text).asks, text).toBe(false);
    }
  });

  it('should let the request forms decide only whether a text asks (高 or 中), never its score', () => {
    // the forms that only say the reader is asked have no risk of their own and are asked inside any channel
    // (so they are looked for only in a text that reaches 高's threshold)
    const rules = loadScamRules(paths.content);
    const forms = rules.asks.filter((s) => s.risk === 0 && s.asking === true);
    expect(forms.length).toBeGreaterThanOrEqual(10);
    for (const s of forms) expect(s.inChannel, s.label).toBe(true);
    const without = compileScamJudge({ ...rules, asks: rules.asks.filter((s) => !forms.includes(s)) });
    let gained = 0;
    for (const text of evalTexts) {
      const a = judge.assess(text);
      const b = without.assess(text);
      expect(a.score, text).toBe(b.score);
      if (a.asks && !b.asks) gained++;
    }
    expect(gained).toBeGreaterThan(20);
  });

  it('should answer 高 to the scams of the development sets that ask for something, and 高 to none of their normal texts', () => {
    let medium = 0;
    for (const name of ['eval.jsonl', 'probes.jsonl', 'batch-b.jsonl', 'batch-d.jsonl']) {
      const file = join(paths.root, 'test', 'fixtures', 'scamcheck', name);
      for (const c of parseEvalFile(readFileSync(file, 'utf8'), file, judge)) {
        const a = judge.assess(c.text);
        if (c.label === 'normal') expect(a.risk, c.text).not.toBe('high');
        else if (a.risk === 'medium') medium++;
      }
    }
    // 70 of their 506 scams were 中 before the request forms; those left ask nothing yet (a pitch) or tell of money already gone
    expect(medium).toBeLessThanOrEqual(8);
  });

  it('should flag a request for money, a code or a card that gives the sender\'s own number, account or address, however official its wording', () => {
    const a = judge.assess('【中国移动】尊敬的客户，您的号码已欠费12.5元，将于3日后暂停服务，请点击 yd-cz.top 充值。');
    expect(a.evidence.wording).toBeLessThan(0);
    expect(a.risk).toBe('medium');
    expect(judge.assess('【中国移动】尊敬的客户，您的号码已欠费12.5元，将于3日后暂停服务，请及时充值。').risk).toBe('low');
  });

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

describe('the scam judge reads who asks whom, and where', () => {
  const low = (text: string): void => expect(judge.assess(text).risk, text).toBe('low');
  const flagged = (text: string): void => expect(judge.assess(text).risk, text).not.toBe('low');

  it('should add no risk for requests that are only described: what anyone of a kind would ask, what someone might ask one day, what scammers do', () => {
    low('我女儿跟我说：“妈，以后谁在电话里说是公安局、法院的，让你转钱的，直接挂，然后打我电话。” 我记住了');
    low('护士说别信那些说可以插队、要你转账的人，医院收费只在窗口');
    low('【12381】您可能遭遇冒充客服诈骗，任何“退款理赔”要求屏幕共享、提供验证码的都是诈骗，请立即停止操作。如有疑问拨打96110。');
    low('我们公司的财务说，以后所有的转账都要领导当面签字确认');
    low('谨防刷单诈骗：先给你甜头返几单佣金，再让你垫付大额资金，最后卷款跑路。');
    // the type's own words still say what the warning is about
    expect(judge.assess('警方提醒：凡是让你把钱转到安全账户的都是诈骗').signals.map((s) => s.label)).toContain('安全账户资金清查');
    // a condition the speaker sets on the reader is a request; an instruction after 就 is one too; a number given is given
    flagged('如果您想办理退款，请添加我们售后专员的微信 tk-kefu888，专员会一对一为您处理。');
    expect(judge.assess('对方说如果有人问你就说是自己买东西').signals.map((s) => s.tag)).toContain('secrecy');
    expect(judge.assess('凡是要退款的请拨打 400-800-1234').signals.map((s) => s.tag)).toContain('contact');
  });

  it('should not read a payment already made, or made by the speaker, as a request to pay', () => {
    low('妈，我发工资了，给你转了1000，你买点好吃的');
    low('表姐结婚，我给她转了一千块的红包');
    low('老公，房租我已经转给房东了，你不用管了');
    low('姐，你上次帮我代付的那个快递费是15块吧，我微信转你了');
    flagged('我先给你转了5000，你帮我转给我朋友，他账号是6222xxxx1234，我这边转不过去');
  });

  it('should lower a notice that sends the reader only to the official channel it names, never one that moves them off it', () => {
    low('【中国移动】尊敬的客户，您的号码已欠费12.5元，将于3日后暂停服务，请及时充值。');
    low('各位家长：本学期课后服务费请通过“校园缴费”平台或学校财务室缴纳，学校不会在班级群里发收款二维码，请注意甄别。');
    low('【福州医保】2025年度城乡居民医保个人缴费期为9月1日至12月31日，标准为每人每年380元。可通过闽政通APP、福建税务APP或银行柜台缴纳。');
    flagged('【中国移动】尊敬的客户，您的号码已欠费12.5元，将于3日后暂停服务，请点击 yd-cz.top 充值。');
    flagged('各位家长：本学期课后服务费请转到王老师个人账户 6222 0212 3456 7890，今天截止。');
    flagged('【福州市医保局】您的医保卡因涉嫌违规套取医保基金已被冻结，请于今日内致电0591-8xxx-xx67解除冻结，逾期将移交公安机关。');
  });

  it('should take a warning told in person by someone the speaker trusts as a warning, not one told by a caller', () => {
    low('派出所民警今天来社区讲座，说最近有人冒充快递客服打电话说快递丢了要理赔，让下载会议软件开屏幕共享，大家一定别信');
    flagged('刚才有人打电话说是派出所的，说我涉嫌洗钱，让我把钱转到安全账户配合调查');
  });

  it('should lower a story of someone else cheated told to warn others, and a sender who offers a call before any money moves', () => {
    low('我同学上个月兼职刷单被骗了八千，报警以后警察说这种很难追回，大家千万别做什么刷单兼职');
    low('看新闻说有个老太太被冒充公检法的骗了一百多万，骗子让她把存款都转到所谓的安全账户，太可怕了');
    flagged('我妈被骗了三万，对方现在还让她再转两万到安全账户');
    low('表妹，我这个月手头有点紧，想问你借3000周转，下个月发工资还你。这事我晚上给你打电话细说，你先别转。');
    flagged('表妹，我换了新号，手机摔坏了，想问你借3000周转，你先转我，别给我打电话我在开会');
  });
});

describe('the judge stays fast without changing what it finds', () => {
  const textsOf = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
  const texts = [...textsOf(join(paths.root, 'test', 'fixtures', 'scamcheck', 'eval.jsonl')), ...textsOf(join(paths.content, 'scamcheck', 'examples.jsonl'))];

  it('should skip a pattern only for a text with none of the characters its match must contain', () => {
    const rules = loadScamRules(paths.content);
    const patterns = [...rules.asks, ...Object.values(rules.types).flatMap((t) => t.signals), ...rules.lowering].map((s) => s.re).filter((r): r is string => r !== undefined);
    let prefiltered = 0;
    for (const source of patterns) {
      const must = mustChars(source);
      if (!must) continue;
      prefiltered++;
      const re = new RegExp(source, 'u');
      for (const raw of texts) {
        const t = normalizeForMatch(raw);
        if (re.test(t)) expect(must.some((c) => t.includes(String.fromCharCode(c))), `${source} on ${raw}`).toBe(true);
      }
    }
    expect(prefiltered).toBeGreaterThan(patterns.length * 0.9);
    expect(mustChars('(?<![拨请])(转|汇)了?\\d+')).toEqual(Uint16Array.from([...'转汇'].map((c) => c.charCodeAt(0))));
    expect(mustChars('^[^,。]{0,10}(民警|公安)(提醒|提示)')).toEqual(Uint16Array.from([...'民公'].map((c) => c.charCodeAt(0))));
    expect(mustChars('.{2,9}|转')).toBeUndefined();
  });

  it('should normalise every text as NFKC, lower case, without spaces and emoji would', () => {
    const slow = (t: string): string => t.normalize('NFKC').toLowerCase().replace(/[\r\n]+/gu, '。').replace(/[\s\p{Extended_Pictographic}\u200d\ufe0f\u20e3]+/gu, '');
    for (const t of [...texts, 'ＡＢＣ　ｄ\t…①\r\n \nx😱🙏', '　请点击ＨＴＴＰ：／／Ａ．ＣＯＭ']) {
      expect(normalizeForMatch(t), t).toBe(slow(t));
      for (const v of robustVariants(t)) expect(normalizeForMatch(v.text), v.text).toBe(slow(v.text));
    }
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
