import { describe, expect, it } from 'vitest';
import { checkDay, type CheckInput, type SentRecord } from '../../../src/reports/check.js';

const sent = (deliveryId: string, district: string, reach: number): SentRecord => ({ deliveryId, campaignId: 'c', postId: 'p', groupId: `g-${deliveryId}`, reach, segment: 'elderly', district });
const records = [sent('d1', '鼓楼区', 10), sent('d2', '仓山区', 20), sent('d3', '仓山区', 30)];
const input = (postDistrict: CheckInput['counters']['postDistrict']): CheckInput => ({
  sent: records,
  engagements: [],
  counters: {
    campaign: [{ campaignId: 'c', sent: 3, reach: 60 }],
    area: [{ campaignId: 'c', segment: 'elderly', district: '鼓楼区', sent: 1, reach: 10 }, { campaignId: 'c', segment: 'elderly', district: '仓山区', sent: 2, reach: 50 }],
    post: [{ campaignId: 'c', postId: 'p', sent: 3, reach: 60 }],
    postDistrict,
    group: records.map((r) => ({ campaignId: 'c', groupId: r.groupId, sent: 1, reach: r.reach })),
  },
  groupsReached: new Map([['c', { estimate: 3, exact: true }]]),
});

describe('report check: posts per district', () => {
  it('should find the counters of posts per district equal to the outbox, or say where they differ', () => {
    const right = [{ campaignId: 'c', postId: 'p', district: '鼓楼区', sent: 1, reach: 10 }, { campaignId: 'c', postId: 'p', district: '仓山区', sent: 2, reach: 50 }];
    expect(checkDay(input(right))).toEqual([]);
    const off = [right[0]!, { ...right[1]!, sent: 1, reach: 20 }];
    expect(checkDay(input(off))).toEqual([
      { level: 'post by district', campaign: 'c', key: 'p 仓山区', measure: 'sent', records: 2, counters: 1 },
      { level: 'post by district', campaign: 'c', key: 'p 仓山区', measure: 'reach', records: 50, counters: 20 },
    ]);
  });

  it('should not call a day counted before posts were counted per district wrong', () => {
    expect(checkDay(input([]))).toEqual([]);
  });
});
