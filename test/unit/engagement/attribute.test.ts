import { describe, expect, it } from 'vitest';
import { attributeToPost, classifyEngagement } from '../../../src/engagement/attribute.js';
import { loadEngagementWords } from '../../../src/config/engagement-words.js';
import { paths } from '../../../src/config/paths.js';

const words = loadEngagementWords(paths.content);
const msg = (text: string, o: { mentionsBot?: boolean; quotesBot?: boolean } = {}) => ({ text, mentionsBot: o.mentionsBot ?? false, quotesBot: o.quotesBot ?? false });

describe('classifyEngagement', () => {
  it('should tell replies, questions, mentions and keywords from chatter', () => {
    expect(classifyEngagement(msg('好的', { quotesBot: true }), words)).toBe('reply');
    expect(classifyEngagement(msg('@反诈宣传员 刚才有人说我快递丢了要赔我钱，是真的吗？', { mentionsBot: true }), words)).toBe('question');
    expect(classifyEngagement(msg('@反诈宣传员 辛苦了', { mentionsBot: true }), words)).toBe('mention');
    expect(classifyEngagement(msg('收到，谢谢提醒'), words)).toBe('keyword');
    expect(classifyEngagement(msg('我也接到过这种电话'), words)).toBe('keyword');
    expect(classifyEngagement(msg('今晚菜市场几点关门'), words)).toBeUndefined();
  });
});

describe('attributeToPost', () => {
  const posts = [
    { deliveryId: 'd1', groupId: 'g1', sentAt: new Date('2026-11-25T10:00:00+08:00') },
    { deliveryId: 'd2', groupId: 'g1', sentAt: new Date('2026-11-25T11:00:00+08:00') },
    { deliveryId: 'd3', groupId: 'g2', sentAt: new Date('2026-11-25T11:30:00+08:00') },
  ];
  const twoHours = 2 * 3600_000;
  it('should pick the most recent post of the same group inside the window', () => {
    expect(attributeToPost({ groupId: 'g1', at: new Date('2026-11-25T11:45:00+08:00') }, posts, twoHours)?.deliveryId).toBe('d2');
  });
  it('should not attribute outside the window or to another group', () => {
    expect(attributeToPost({ groupId: 'g1', at: new Date('2026-11-25T13:30:00+08:00') }, posts, twoHours)).toBeUndefined();
    expect(attributeToPost({ groupId: 'g3', at: new Date('2026-11-25T11:45:00+08:00') }, posts, twoHours)).toBeUndefined();
    expect(attributeToPost({ groupId: 'g1', at: new Date('2026-11-25T09:59:00+08:00') }, posts, twoHours)).toBeUndefined();
  });
});
