import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { MERGE_EXACT_MAX, ReachSketch, SKETCH_ERROR, SPARSE_MAX } from '../../../src/engagement/reach-sketch.js';
import { Tally } from '../../../src/engagement/tally.js';
import { createMemberKeyer, memberKeyHex } from '../../../src/audience/member-key.js';

const hex = (i: number) => createHash('sha256').update(`member-${i}`).digest('hex');

describe('distinct members reached', () => {
  it('should count exactly while small, and keep counting a key once however often it is added', () => {
    const s = new ReachSketch();
    for (let i = 0; i < 300; i++) s.add(hex(i));
    for (let i = 0; i < 300; i++) s.add(hex(i));
    expect(s.exact).toBe(true);
    expect(s.estimate()).toBe(300);
  });

  it('should merge stored sketches into an exact union while every part is small', () => {
    const a = new ReachSketch();
    const b = new ReachSketch();
    for (let i = 0; i < 400; i++) a.add(hex(i));
    for (let i = 200; i < 600; i++) b.add(hex(i));
    const union = ReachSketch.from(a.toDoc(), MERGE_EXACT_MAX);
    union.merge(ReachSketch.from(b.toDoc()));
    expect(union.exact).toBe(true);
    expect(union.estimate()).toBe(600);
  });

  it('should estimate large counts within a few standard errors and store them in 4 KB', () => {
    for (const n of [5_000, 100_000]) {
      const s = new ReachSketch();
      for (let i = 0; i < n; i++) s.add(hex(i));
      expect(s.exact).toBe(false);
      expect(Math.abs(s.estimate() - n) / n).toBeLessThan(3 * SKETCH_ERROR);
      expect(s.toDoc().dense!.length).toBe(4096);
    }
  });

  it('should union dense sketches without double counting', () => {
    const parts = [0, 1, 2].map((k) => {
      const s = new ReachSketch();
      for (let i = k * 20_000; i < k * 20_000 + 40_000; i++) s.add(hex(i)); // overlapping ranges, 80,000 distinct
      return ReachSketch.from(s.toDoc());
    });
    const u = parts[0]!;
    u.merge(parts[1]!);
    u.merge(parts[2]!);
    expect(Math.abs(u.estimate() - 80_000) / 80_000).toBeLessThan(3 * SKETCH_ERROR);
  });

  it('should refuse what is not a hash, so raw ids can never be fed to it by mistake', () => {
    expect(() => new ReachSketch().add('wxid_abc123')).toThrow(/16 hex digits/);
    expect(SPARSE_MAX * 8).toBe(4096);
  });
});

describe('the tally of one writer', () => {
  const keyer = createMemberKeyer('t'.repeat(32));
  const target = { day: '2026-11-24', campaignId: 'c1', postId: 'p1', groupId: 'g1', segment: 'elderly', district: '鼓楼区' };

  it('should count a post at every level (per district too) in documents of its own writer, and keep member keys only as sketch bits', () => {
    const t = new Tally('w1');
    t.sent(target, ['a', 'b', 'c'].map(keyer));
    t.count(target, 'reply', 2);
    const counters = t.takeCounters();
    expect(counters.map((c) => c.id).sort()).toEqual([
      'area_d|2026-11-24|c1|*|鼓楼区|w1', // rolled up over segments
      'area_s|2026-11-24|c1|elderly|*|w1', // rolled up over districts
      'area_t|2026-11-24|c1|*|*|w1',
      'area|2026-11-24|c1|elderly|鼓楼区|w1',
      'group|2026-11-24|c1|g1|w1',
      'post_d|2026-11-24|c1|p1|鼓楼区|w1', // a district's top posts
      'post|2026-11-24|c1|p1|w1',
    ]);
    expect(counters.every((c) => c.inc.sent === 1 && c.inc.reach === 3 && c.inc.reply === 2 && c.dims['writer'] === 'w1')).toBe(true);
    expect(t.takeCounters()).toEqual([]);
    const sketches = t.takeSketches();
    expect(sketches.map((s) => `${s.kind}/${s.cut}`).sort()).toEqual(['groups/d', 'groups/s', 'groups/sd', 'groups/t', 'members/d', 'members/s', 'members/sd', 'members/t']);
    const members = ReachSketch.from(sketches.find((s) => s.kind === 'members' && s.cut === 't')!.doc);
    expect(members.estimate()).toBe(3);
    expect(Buffer.from(sketches.find((s) => s.kind === 'members')!.doc.sparse!).toString('hex')).toContain(memberKeyHex(keyer('a')));
    expect(t.takeSketches()).toEqual([]); // unchanged since
  });
});
