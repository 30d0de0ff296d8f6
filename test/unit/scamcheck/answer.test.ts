import { describe, expect, it } from 'vitest';
import { paths } from '../../../src/config/paths.js';
import { loadScamCheck } from '../../../src/scamcheck/desk.js';
import { renderScamAnswer } from '../../../src/scamcheck/answer.js';

const { rules, judge } = loadScamCheck(paths.content);

describe('the answer to "is this a scam?"', () => {
  it('should give risk, the most likely type, quoted signals and what to do, with 三不一多 and the numbers', () => {
    const text = renderScamAnswer(judge.assess('有人说我误开通了百万保障，不关闭每月扣费，让我下载腾讯会议开屏幕共享'), rules, { segment: 'shoppers' });
    const lines = text.split('\n');
    expect(lines[0]).toBe('风险等级：高');
    expect(lines[1]).toBe('最可能是：冒充电商物流客服类诈骗');
    expect(lines[2]).toMatch(/^发现的信号：(“[^”]+”){2,4}$/u);
    expect(lines[2]).toContain("“百万保障”");
    expect(text).toContain('不需要开屏幕共享');
    expect(text).toContain('三不一多：未知链接不点击');
    expect(text).toMatch(/96110.*110.*国家反诈中心/su);
  });

  it('should speak to the group\'s audience', () => {
    const a = judge.assess('注销校园贷，不然影响征信');
    expect(renderScamAnswer(a, rules, { segment: 'students' }).startsWith('同学，风险等级')).toBe(true);
    expect(renderScamAnswer(a, rules, { segment: 'elderly' }).startsWith('叔叔阿姨，风险等级')).toBe(true);
  });

  it('should still say how to verify through an official channel when the risk is low', () => {
    const text = renderScamAnswer(judge.assess('【顺丰速运】您的快件已到达驿站，取件码3-2-1108，请凭码取件。'), rules);
    expect(text.split('\n')[0]).toBe('风险等级：低');
    expect(text).not.toContain('最可能是');
    expect(text).toContain('官网或官方App上的客服电话');
    expect(text).toContain('96110');
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
