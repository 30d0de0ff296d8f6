import { describe, expect, it } from 'vitest';
import { sendOrder } from '../../../src/campaigns/plan-run.js';

describe('sendOrder', () => {
  it('should give every bot its next delivery round by round, earliest first', () => {
    const items = [
      { id: 'a1', bot: 'a', due: 1 }, { id: 'a2', bot: 'a', due: 2 }, { id: 'a3', bot: 'a', due: 3 },
      { id: 'b2', bot: 'b', due: 2 }, { id: 'b1', bot: 'b', due: 1 }, { id: 'c1', bot: 'c', due: 5 },
    ];
    expect(sendOrder(items, (x) => x.bot, (x) => x.due).map((x) => x.id)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });
});
