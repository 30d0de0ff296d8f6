import { describe, expect, it } from 'vitest';
import { paths } from '../../../src/config/paths.js';
import { loadScamCheck } from '../../../src/scamcheck/desk.js';
import { renderScamAnswer } from '../../../src/scamcheck/answer.js';

const { rules, judge } = loadScamCheck(paths.content);
const HIGH = '这很可能是骗局：先别转钱、别点链接、别给验证码。';
const MEDIUM = '有可疑的地方，先核实再说。';
const LOW = '暂时没看出骗局的迹象';

describe('the answer to "is this a scam?"', () => {
  it('should lead with one plain line, then the most likely type, quoted signals and what to do, with 三不一多 and the numbers', () => {
    const text = renderScamAnswer(judge.assess('有人说我误开通了百万保障，不关闭每月扣费，让我下载腾讯会议开屏幕共享'), rules, { segment: 'shoppers' });
    const lines = text.split('\n');
    expect(lines[0]).toBe(HIGH);
    expect(lines[1]).toBe('最可能是：冒充电商物流客服类诈骗');
    expect(lines[2]).toMatch(/^可疑的地方：(“[^”]+”){2,4}/u);
    expect(lines[2]).toContain('“百万保障”');
    expect(text).toContain('不需要开屏幕共享');
    expect(text).toContain('三不一多：未知链接不点击');
    expect(text).toMatch(/96110.*110.*国家反诈中心/su);
  });

  it('should lead each risk level with its own plain line, and never with jargon', () => {
    const high = judge.assess('我是公安局的，你涉嫌洗钱，把钱转到安全账户，这件事要保密');
    const medium = judge.assess('有个人说可以帮我修复征信，要收点钱');
    const low = judge.assess('明天早上七点在小区门口集合，一起去爬鼓山，记得带水');
    expect([high.risk, medium.risk, low.risk]).toEqual(['high', 'medium', 'low']);
    expect(renderScamAnswer(high, rules).split('\n')[0]).toBe(HIGH);
    expect(renderScamAnswer(medium, rules).split('\n')[0]).toBe(MEDIUM);
    expect(renderScamAnswer(low, rules).split('\n')[0]).toMatch(/^暂时没看出骗局的迹象，但/u);
    for (const a of [high, medium, low]) {
      for (const segment of ['elderly', 'students', 'shoppers', 'general', undefined] as const) {
        const text = renderScamAnswer(a, rules, { segment });
        expect(text).not.toMatch(/风险等级|典型的诈骗信号|score|\d+\.\d+分/u);
      }
    }
  });

  it('should speak to the group\'s audience, and give elderly groups the shortest form', () => {
    const a = judge.assess('注销校园贷，不然影响征信');
    expect(renderScamAnswer(a, rules, { segment: 'students' }).startsWith('同学，')).toBe(true);
    const elderly = renderScamAnswer(a, rules, { segment: 'elderly' });
    const general = renderScamAnswer(a, rules, { segment: 'general' });
    expect(elderly.startsWith('叔叔阿姨，')).toBe(true);
    expect(elderly.split('\n').length).toBeLessThanOrEqual(4);
    expect(elderly.length).toBeLessThan(general.length / 2);
    expect(elderly).toMatch(/96110.*110/su);
    expect(elderly).not.toContain('三不一多');
  });

  it('should tell a grandparent to call the grandchild back on the number they know, never to look up a customer-service number', () => {
    const a = judge.assess('奶奶，是我，我换了新号，在外面跟人打架了要赔钱，你先转我两万，千万别告诉我爸');
    expect(a.risk).toBe('high');
    for (const segment of ['elderly', 'general'] as const) {
      const text = renderScamAnswer(a, rules, { segment });
      expect(text).toContain('原来存的号码');
      expect(text).not.toMatch(/客服|官方App|官网/u);
    }
  });

  it('should say a police warning is a warning, and still say how to verify a notice through an official channel', () => {
    const warning = renderScamAnswer(judge.assess('警方提醒：凡是让你把钱转到安全账户的都是诈骗，公检法不会电话办案。'), rules);
    expect(warning.split('\n')[0]).toBe(`${LOW}：这段话是防骗提醒，不是骗子发来的，照着提醒做就对了。`);
    const text = renderScamAnswer(judge.assess('【顺丰速运】您的快件已到达驿站，取件码3-2-1108，请凭码取件。'), rules);
    expect(text.split('\n')[0]).toMatch(/^暂时没看出骗局的迹象/u);
    expect(text).not.toContain('最可能是');
    expect(text).toContain('官网或官方App上的客服电话');
    expect(text).toContain('96110');
  });

  it('should say what a low text looks like — a notice, a story of someone else cheated, a relative who offers a call — and how to check it', () => {
    const notice = renderScamAnswer(judge.assess('【中国移动】尊敬的客户，您的号码已欠费12.5元，将于3日后暂停服务，请及时充值。'), rules, { segment: 'elderly' }).split('\n');
    expect(notice[0]).toBe('叔叔阿姨，暂时没看出骗局的迹象：这像是机构发的通知，只让您在它自己的渠道里办，没有给陌生号码、链接，也没有要验证码。');
    expect(notice[1]).toContain('官方App上的客服电话');
    const story = renderScamAnswer(judge.assess('我同学上个月兼职刷单被骗了八千，大家千万别做什么刷单兼职'), rules).split('\n');
    expect(story[0]).toContain('这是在讲别人被骗的经历');
    expect(story[0]).toContain('110');
    // a relative is checked on the number already known, not through a customer-service number
    const kin = renderScamAnswer(judge.assess('表妹，我这个月手头有点紧，想问你借3000周转，下个月发工资还你。这事我晚上给你打电话细说，你先别转。'), rules).split('\n');
    expect(kin[0]).toContain('对方自己说要先打电话或见面说清楚');
    expect(kin[1]).toBe(`但${rules.always.verifyKin}`);
  });

  it('should never repeat a link or a number to the group', () => {
    const text = renderScamAnswer(judge.assess('点击 http://tk-refund.top/a 领取退款，联系 13812345678'), rules);
    expect(text).not.toContain('tk-refund');
    expect(text).not.toContain('13812345678');
  });

  it('should say when a long text was cut', () => {
    expect(renderScamAnswer(judge.assess('你好'), rules, { cutAt: 500 })).toContain('（内容较长，只看了前500个字。）');
  });
});

describe('when the money has already gone', () => {
  it('should say first to call 110 now', () => {
    const text = renderScamAnswer(judge.assess('群里有人卖名牌化妆品员工价，说拍下后私聊发货，我转了钱就被拉黑了，还能找回吗'), rules);
    expect(text.split('\n')[1]).toMatch(/^钱已经转出去了的话，请马上拨打110/u);
    expect(text).not.toContain('“转了钱就”');
  });
});
