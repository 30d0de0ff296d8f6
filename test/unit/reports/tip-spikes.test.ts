import { describe, expect, it } from 'vitest';
import { tipSpikes, type TipDayCount } from '../../../src/reports/tip-spikes.js';

const days = (n: number): string[] => Array.from({ length: n }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);

describe('spikes in the scam check\'s tips', () => {
  const trailing = days(28);
  const today = '2026-11-29';
  const steady: TipDayCount[] = trailing.map((day) => ({ type: 'fake-cs', district: '鼓楼区', day, checks: 2 }));

  it('should flag a type in a district asked about far above its trailing mean', () => {
    const spikes = tipSpikes([...steady, { type: 'fake-cs', district: '鼓楼区', day: today, checks: 9 }], today, trailing);
    expect(spikes).toEqual([{ type: 'fake-cs', district: '鼓楼区', today: 9, baseline: 2, ratio: 4.5 }]);
  });

  it('should not flag a usual day, a busy day below the floor, or private checks', () => {
    expect(tipSpikes([...steady, { type: 'fake-cs', district: '鼓楼区', day: today, checks: 5 }], today, trailing)).toEqual([]);
    expect(tipSpikes([{ type: 'loan', district: '仓山区', day: today, checks: 4 }], today, trailing)).toEqual([]);
    expect(tipSpikes([{ type: 'loan', day: today, checks: 40 }], today, trailing)).toEqual([]);
  });

  it('should treat a type never seen before as a baseline of one a day', () => {
    expect(tipSpikes([{ type: 'loan', district: '仓山区', day: today, checks: 6 }, { type: 'loan', district: '仓山区', day: '2026-10-01', checks: 50 }], today, trailing)).toEqual([
      { type: 'loan', district: '仓山区', today: 6, baseline: 0, ratio: 6 },
    ]);
  });
});
