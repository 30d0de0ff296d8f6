import { describe, expect, it } from 'vitest';
import { assignBots } from '../../../src/campaigns/assign-bots.js';

const g = (id: string, ...botIds: string[]) => ({ id, botIds });

describe('assignBots', () => {
  it('should only pick bots that are members and online', () => {
    const { assigned, unserved } = assignBots([g('1', 'a', 'b'), g('2', 'c')], new Set(['b']));
    expect(assigned).toEqual([{ group: g('1', 'a', 'b'), botId: 'b' }]);
    expect(unserved.map((x) => x.id)).toEqual(['2']);
  });

  it('should spread load across bots that share groups', () => {
    const groups = Array.from({ length: 10 }, (_, i) => g(String(i), 'a', 'b'));
    const { assigned } = assignBots(groups, new Set(['a', 'b']));
    const perBot = assigned.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x.botId]: (acc[x.botId] ?? 0) + 1 }), {});
    expect(perBot).toEqual({ a: 5, b: 5 });
  });

  it('should serve groups with a single candidate first so shared groups balance around them', () => {
    const groups = [g('s1', 'a', 'b'), g('s2', 'a', 'b'), g('only-a-1', 'a'), g('only-a-2', 'a')];
    const { assigned } = assignBots(groups, new Set(['a', 'b']));
    const botOf = Object.fromEntries(assigned.map((x) => [x.group.id, x.botId]));
    expect(botOf['s1']).toBe('b');
    expect(botOf['s2']).toBe('b');
  });

  it('should return nothing for an empty selection', () => {
    expect(assignBots([], new Set(['a']))).toEqual({ assigned: [], unserved: [] });
  });
});
