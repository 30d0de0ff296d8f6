import { describe, expect, it } from 'vitest';
import { selectGroups } from '../../../src/audience/select-groups.js';
import type { GroupRecord } from '../../../src/shared/groups.js';

const group = (id: string, over: Partial<GroupRecord>): GroupRecord => ({
  id, roomId: `${id}@chatroom`, topic: id, segments: [], tags: [], memberCount: 10, botIds: ['a'], status: 'active', ...over,
});

const groups = [
  group('g1', { district: '仓山区', segments: ['elderly'], tags: ['春节'] }),
  group('g2', { district: '鼓楼区', segments: ['students'] }),
  group('g3', { status: 'pending' }),
  group('g4', { district: '仓山区', segments: ['elderly'], status: 'paused' }),
  group('g5', { district: '仓山区', segments: ['elderly'], status: 'left' }),
];

describe('selectGroups', () => {
  it('should never target an untagged, paused or left group, even when included explicitly', () => {
    expect(selectGroups(groups, { include: ['g3', 'g4', 'g5'] }).map((g) => g.id)).toEqual(['g1', 'g2']);
  });
  it('should select by segment, district and tag', () => {
    expect(selectGroups(groups, { segments: ['elderly'] }).map((g) => g.id)).toEqual(['g1']);
    expect(selectGroups(groups, { districts: ['鼓楼区'] }).map((g) => g.id)).toEqual(['g2']);
    expect(selectGroups(groups, { districts: ['all'], tags: ['春节'] }).map((g) => g.id)).toEqual(['g1']);
  });
  it('should honour exclude over everything', () => {
    expect(selectGroups(groups, { exclude: ['g1@chatroom'] }).map((g) => g.id)).toEqual(['g2']);
  });
});
