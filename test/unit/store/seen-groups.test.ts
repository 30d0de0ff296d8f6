import { describe, expect, it } from 'vitest';
import { sameGroupAs, seenChanges } from '../../../src/store/seen-groups.js';
import { joinSample } from '../../../src/shared/groups.js';

describe('seenChanges', () => {
  const entry = { topic: '仓山区反诈群', memberCount: 3, sample: 'k1 k2 k3', botIds: ['a'] };
  const seen = { roomId: 'r@chatroom', topic: '仓山区反诈群', memberCount: 3, sample: 'k1 k2 k3', botId: 'a' };

  it('should see no change when the room is as registered, whoever else is listed', () => {
    expect(seenChanges(entry, seen)).toBe(false);
    expect(seenChanges({ ...entry, botIds: ['b', 'a'] }, seen)).toBe(false);
  });

  it('should see a new topic, member count, member sample or an unlisted bot', () => {
    expect(seenChanges(entry, { ...seen, topic: '仓山区反诈二群' })).toBe(true);
    expect(seenChanges(entry, { ...seen, memberCount: 4 })).toBe(true);
    expect(seenChanges(entry, { ...seen, sample: 'k1 k2 k4' })).toBe(true);
    expect(seenChanges(entry, { ...seen, sample: 'k1 k2' })).toBe(true);
    expect(seenChanges(entry, { ...seen, botId: 'b' })).toBe(true);
  });
});

describe('sameGroupAs', () => {
  const keys = (n: number, p = 'k') => Array.from({ length: n }, (_, i) => `${p}${i}`);

  it('should pick the candidate with the most members in common, from half of them on', () => {
    const a = { id: 'a', sample: joinSample(keys(10)) };
    const b = { id: 'b', sample: joinSample([...keys(6), ...keys(4, 'x')]) };
    expect(sameGroupAs([b, a], { sample: joinSample(keys(10)) })?.id).toBe('a');
    expect(sameGroupAs([b], { sample: joinSample(keys(10)) })).toBeUndefined(); // 6 of 14 keys in common
    expect(sameGroupAs([], { sample: joinSample(keys(10)) })).toBeUndefined();
  });
});
