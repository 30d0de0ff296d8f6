import { describe, expect, it } from 'vitest';
import { parseOfficerCommand, resolveRegistration, stripMentions } from '../../../src/audience/officer-command.js';
import { suggestTags } from '../../../src/audience/tag-suggestion.js';
import { content, reference } from '../../support/sim.js';

describe('parseOfficerCommand', () => {
  it('should read 登记 with district, station and segment after the @-mention', () => {
    expect(parseOfficerCommand('@反诈宣传员\u2005登记 仓山区 金山派出所 老年', reference)).toEqual({
      ok: true,
      command: { kind: 'register', district: '仓山区', station: '金山派出所', segments: ['elderly'] },
    });
  });

  it('should accept short names, several segments and Chinese punctuation', () => {
    expect(parseOfficerCommand('@宣传员 登记，仓山、金山，老年、综合', reference)).toEqual({
      ok: true,
      command: { kind: 'register', district: '仓山区', station: '金山派出所', segments: ['elderly', 'general'] },
    });
  });

  it('should answer a misspelled district with close matches', () => {
    const r = parseOfficerCommand('@宣传员 登记 仓三区 金山派出所 老年', reference);
    expect(r).toEqual({ ok: false, reply: '没有找到区县“仓三区”。您是不是要找：仓山区？' });
  });

  it('should answer a station of another district with the stations that exist there', () => {
    const r = parseOfficerCommand('@宣传员 登记 仓山区 温泉派出所 老年', reference);
    expect(r).toMatchObject({ ok: false });
    expect((r as { reply: string }).reply).toMatch(/^仓山区没有“温泉派出所”/);
  });

  it('should ask for the audience when no segment is given', () => {
    expect((parseOfficerCommand('@宣传员 登记 鼓楼区', reference) as { reply: string }).reply).toMatch(/^请写上对象/);
  });

  it('should know the short commands and ignore ordinary questions', () => {
    expect(parseOfficerCommand('@宣传员 暂停', reference)).toEqual({ ok: true, command: { kind: 'pause' } });
    expect(parseOfficerCommand('@宣传员 恢复', reference)).toEqual({ ok: true, command: { kind: 'resume' } });
    expect(parseOfficerCommand('@宣传员 退出', reference)).toEqual({ ok: true, command: { kind: 'leave' } });
    expect(parseOfficerCommand('@宣传员 刚才有人打电话说我快递丢了要赔我钱，是真的吗？', reference)).toEqual({ none: true });
  });

  it('should strip one or more leading mentions', () => {
    expect(stripMentions('@a\u2005@b 暂停')).toBe('暂停');
  });

  it('should take English segment names on the command line', () => {
    expect(resolveRegistration(['闽侯县', 'students'], reference)).toEqual({ ok: true, command: { kind: 'register', district: '闽侯县', station: undefined, segments: ['students'] } });
  });
});

describe('suggestTags', () => {
  it.each([
    ['仓山区金山街道老年反诈群', '仓山区', 'elderly'],
    ['福州大学2025级反诈群', '闽侯县', 'students'],
    ['万达广场商户群', '仓山区', 'shoppers'],
    ['温泉街道平安社区群', '鼓楼区', 'general'],
  ])('should suggest for %s', (topic, district, segment) => {
    expect(suggestTags(topic, content.rules, reference)).toEqual({ district, segments: [segment] });
  });

  it('should suggest nothing it cannot see', () => {
    expect(suggestTags('相亲相爱一家人', content.rules, reference)).toEqual({ district: undefined, segments: [] });
  });
});
