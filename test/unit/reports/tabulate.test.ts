import { describe, expect, it } from 'vitest';
import { per1000, tabulate } from '../../../src/reports/tabulate.js';
import { deliveryIdOfCode, linkCode, shortLink } from '../../../src/shared/link-code.js';
import { clientFamily } from '../../../src/api/client-family.js';
import { isAllowedLink } from '../../../src/api/link-server.js';

describe('adding up counters', () => {
  it('should sum documents of every writer and day into the rows of the chosen dimensions', () => {
    const docs = [
      { day: '2026-11-24', segment: 'elderly', district: 'A', campaignId: 'c', writer: 'w1', sent: 2, reach: 100, reply: 3 },
      { day: '2026-11-24', segment: 'elderly', district: 'B', campaignId: 'c', writer: 'w2', sent: 1, reach: 50, click: 1 },
      { day: '2026-11-25', segment: 'students', district: 'A', campaignId: 'c', writer: 'w1', sent: 1, reach: 80 },
    ];
    const rows = [...tabulate(docs, ['segment']).values()];
    expect(rows.map((r) => [r.key.segment, r.totals.sent, r.totals.reach, r.totals.reply, r.totals.click])).toEqual([
      ['elderly', 3, 150, 3, 1],
      ['students', 1, 80, 0, 0],
    ]);
    expect([...tabulate(docs, []).values()][0]!.totals.reach).toBe(230);
  });

  it('should give engagements per 1,000 reached with one decimal', () => {
    expect(per1000(4, 150)).toBe(26.7);
    expect(per1000(3, 0)).toBe(0);
  });
});

describe('tracked links', () => {
  it('should turn a delivery id into a signed 32-character code and back (test/unit/shared/link-code.test.ts has the rest)', () => {
    const id = '6744a1b2c3d4e5f601234567';
    const key = 'k'.repeat(32);
    expect(linkCode(id, key)).toHaveLength(32);
    expect(deliveryIdOfCode(linkCode(id, key), key)).toBe(id);
    expect(shortLink({ base: 'http://x:8787/', key }, id)).toBe(`http://x:8787/r/${linkCode(id, key)}`);
    expect(deliveryIdOfCode('short', key)).toBeUndefined();
  });

  it('should keep only a coarse client family and redirect only to allow-listed https links', () => {
    expect(clientFamily('Mozilla/5.0 (iPhone) MicroMessenger/8.0')).toBe('wechat');
    expect(clientFamily('Mozilla/5.0 (Linux; Android 14) Mobile')).toBe('mobile');
    expect(clientFamily('Mozilla/5.0 (Windows NT 10.0)')).toBe('desktop');
    expect(clientFamily(undefined)).toBe('other');
    expect(isAllowedLink('https://www.mps.gov.cn/n2254/', ['mps.gov.cn'])).toBe(true);
    expect(isAllowedLink('https://mps.gov.cn.evil.top/', ['mps.gov.cn'])).toBe(false);
    expect(isAllowedLink('http://www.mps.gov.cn/', ['mps.gov.cn'])).toBe(false);
  });
});
