import { describe, expect, it } from 'vitest';
import { planTargets, type HistoryEntry, type PlanInput } from '../../../src/campaigns/plan-targets.js';
import { outsideQuietHours } from '../../../src/audience/quiet-hours.js';
import type { Post } from '../../../src/content/post-schema.js';
import type { GroupRecord } from '../../../src/shared/groups.js';

const group = (id: string, over: Partial<GroupRecord> = {}): GroupRecord => ({
  id, roomId: `${id}@chatroom`, topic: id, district: '仓山区', segments: ['general'], tags: [], memberCount: 50, botIds: ['a'], status: 'active', ...over,
});
const post = (id: string, over: Partial<Post> = {}): Post => ({
  id, title: id, audiences: ['general'], scamTypes: ['other'], tags: [], variants: [`${id}-v1`, `${id}-v2`], contentHash: 'h', file: `${id}.md`, ...over,
});
const QUIET = { elderly: { from: '21:30', to: '07:30' }, default: { from: '23:00', to: '07:00' } };
const caps = { perGroupPerDay: 1, repeatPostAfterDays: 30 };
const at = (s: string) => new Date(s);

function plan(over: Partial<PlanInput<GroupRecord>> & Pick<PlanInput<GroupRecord>, 'groups'>) {
  return planTargets({
    campaign: { audience: { segments: [], districts: ['all'], tags: [], include: [], exclude: [] }, caps, priority: 'normal' },
    posts: [post('p1'), post('p2'), post('p3')],
    history: [],
    now: at('2026-11-25T10:00:00+08:00'),
    quietHours: QUIET,
    ...over,
  });
}

describe('planTargets', () => {
  it('should select by segment, district and tag', () => {
    const groups = [
      group('a', { segments: ['elderly'], district: '仓山区', tags: ['春节'] }),
      group('b', { segments: ['students'], district: '鼓楼区' }),
      group('c', { segments: ['elderly'], district: '鼓楼区' }),
    ];
    const aud = (a: object) => ({ audience: { segments: [], districts: ['all'], tags: [], include: [], exclude: [], ...a }, caps, priority: 'normal' as const });
    expect(plan({ groups, campaign: aud({ segments: ['elderly'] }) }).targets.map((t) => t.group.id)).toEqual(['a', 'c']);
    expect(plan({ groups, campaign: aud({ districts: ['鼓楼区'] }) }).targets.map((t) => t.group.id)).toEqual(['b', 'c']);
    expect(plan({ groups, campaign: aud({ tags: ['春节'] }) }).targets.map((t) => t.group.id)).toEqual(['a']);
  });

  it('should give nothing for an empty selection', () => {
    expect(plan({ groups: [] })).toEqual({ targets: [], skipped: [] });
    expect(plan({ groups: [group('x', { status: 'pending' })] })).toEqual({ targets: [], skipped: [] });
  });

  it('should keep the daily cap per group, counting only normal posts', () => {
    const history: HistoryEntry[] = [{ groupId: 'a', postId: 'old', at: at('2026-11-25T08:00:00+08:00'), priority: 0 }];
    const r = plan({ groups: [group('a'), group('b')], history });
    expect(r.targets.map((t) => t.group.id)).toEqual(['b']);
    expect(r.skipped[0]!.reason).toMatch(/daily cap/);
    const urgentBefore: HistoryEntry[] = [{ groupId: 'a', postId: 'old', at: at('2026-11-25T08:00:00+08:00'), priority: 1 }];
    expect(plan({ groups: [group('a')], history: urgentBefore }).targets).toHaveLength(1);
  });

  it('should count the day in Asia/Shanghai, not UTC', () => {
    // 2026-11-24 23:30 UTC is 2026-11-25 07:30 in Shanghai: same Shanghai day as the run
    const history: HistoryEntry[] = [{ groupId: 'a', postId: 'old', at: at('2026-11-24T23:30:00Z'), priority: 0 }];
    expect(plan({ groups: [group('a')], history }).skipped).toHaveLength(1);
  });

  it('should hold posts until quiet hours end, across midnight in Asia/Shanghai', () => {
    const elderly = group('e', { segments: ['elderly'] });
    const general = group('g');
    const r = plan({ groups: [elderly, general], now: at('2026-11-25T22:00:00+08:00') });
    const nb = Object.fromEntries(r.targets.map((t) => [t.group.id, t.notBefore.toISOString()]));
    expect(nb['e']).toBe(at('2026-11-26T07:30:00+08:00').toISOString());
    expect(nb['g']).toBe(at('2026-11-25T22:00:00+08:00').toISOString());
    const late = plan({ groups: [general], now: at('2026-11-26T01:15:00+08:00') });
    expect(late.targets[0]!.notBefore.toISOString()).toBe(at('2026-11-26T07:00:00+08:00').toISOString());
    // each target carries its group's window, for the lane that sends it later
    expect(Object.fromEntries(r.targets.map((t) => [t.group.id, t.quiet]))).toEqual({ e: QUIET.elderly, g: QUIET.default });
    const none = plan({ groups: [general], quietHours: { elderly: QUIET.elderly, default: { from: '00:00', to: '00:00' } } });
    expect(none.targets[0]!.quiet).toBeUndefined();
  });

  it('should let urgent alerts bypass quiet hours', () => {
    const r = plan({
      groups: [group('e', { segments: ['elderly'] })],
      now: at('2026-11-25T23:40:00+08:00'),
      campaign: { audience: { segments: [], districts: ['all'], tags: [], include: [], exclude: [] }, caps, priority: 'urgent' },
    });
    expect(r.targets[0]!.notBefore.toISOString()).toBe(at('2026-11-25T23:40:00+08:00').toISOString());
    expect(r.targets[0]!.quiet).toBeUndefined();
  });

  it('should rotate posts across groups and never repeat a post inside the repeat window', () => {
    const groups = Array.from({ length: 9 }, (_, i) => group(`g${i}`));
    const r = plan({ groups });
    const used = new Set(r.targets.map((t) => t.post.id));
    expect(used.size).toBe(3);
    // every group already had p1 and p2 recently: only p3 may go
    const history: HistoryEntry[] = groups.flatMap((g) => [
      { groupId: g.id, postId: 'p1', at: at('2026-11-10T10:00:00+08:00'), priority: 0 as const },
      { groupId: g.id, postId: 'p2', at: at('2026-11-20T10:00:00+08:00'), priority: 0 as const },
    ]);
    expect(new Set(plan({ groups, history }).targets.map((t) => t.post.id))).toEqual(new Set(['p3']));
  });

  it('should allow a post again after the repeat window, least recent first', () => {
    const history: HistoryEntry[] = [
      { groupId: 'a', postId: 'p1', at: at('2026-10-01T10:00:00+08:00'), priority: 0 },
      { groupId: 'a', postId: 'p2', at: at('2026-10-10T10:00:00+08:00'), priority: 0 },
      { groupId: 'a', postId: 'p3', at: at('2026-11-20T10:00:00+08:00'), priority: 0 },
    ];
    const r = plan({ groups: [group('a')], history });
    expect(r.targets[0]!.post.id).toBe('p1');
    const all = plan({ groups: [group('a')], history: history.map((h) => ({ ...h, at: at('2026-11-20T10:00:00+08:00') })) });
    expect(all.skipped[0]!.reason).toMatch(/within 30 days/);
  });

  it('should rotate wordings: the next time a group gets a post it gets the other variant', () => {
    const g = group('a');
    const first = plan({ groups: [g], posts: [post('p1')] }).targets[0]!;
    const history: HistoryEntry[] = [{ groupId: 'a', postId: 'p1', at: at('2026-09-01T10:00:00+08:00'), priority: 0 }];
    const second = plan({ groups: [g], posts: [post('p1')], history }).targets[0]!;
    expect(second.variant).not.toBe(first.variant);
  });

  it('should only give a group posts written for its segment or for everyone', () => {
    const r = plan({ groups: [group('s', { segments: ['students'] })], posts: [post('eld', { audiences: ['elderly'] }), post('stu', { audiences: ['students'] })] });
    expect(r.targets[0]!.post.id).toBe('stu');
  });
});

describe('outsideQuietHours', () => {
  it('should leave times outside the window alone', () => {
    expect(outsideQuietHours(at('2026-11-25T12:00:00+08:00'), { from: '21:30', to: '07:30' }).toISOString()).toBe(at('2026-11-25T12:00:00+08:00').toISOString());
  });
  it('should handle a window that does not cross midnight', () => {
    expect(outsideQuietHours(at('2026-11-25T12:30:00+08:00'), { from: '12:00', to: '14:00' }).toISOString()).toBe(at('2026-11-25T14:00:00+08:00').toISOString());
  });
});
