import { describe, expect, it } from 'vitest';
import { parseSimCommand } from '../../../src/sim/console-command.js';

const bots = ['gulou-01', 'cangshan-01'];

describe('the simulator console', () => {
  it('should read the faults an operator switches while it runs', () => {
    expect(parseSimCommand('drop gulou-01', bots)).toEqual({ kind: 'drop', botId: 'gulou-01' });
    expect(parseSimCommand('  restore   gulou-01 ', bots)).toEqual({ kind: 'restore', botId: 'gulou-01' });
    expect(parseSimCommand('logout cangshan-01', bots)).toEqual({ kind: 'logout', botId: 'cangshan-01' });
    expect(parseSimCommand('login cangshan-01', bots)).toEqual({ kind: 'login', botId: 'cangshan-01' });
    expect(parseSimCommand('reid', bots)).toEqual({ kind: 'reid' });
    expect(parseSimCommand('freeze gulou-01', bots)).toEqual({ kind: 'freeze', botId: 'gulou-01' });
    expect(parseSimCommand('thaw gulou-01', bots)).toEqual({ kind: 'thaw', botId: 'gulou-01' });
    expect(parseSimCommand('clear gulou-01', bots)).toEqual({ kind: 'clear', botId: 'gulou-01' });
    expect(parseSimCommand('', bots)).toEqual({ kind: 'none' });
    expect(parseSimCommand('help', bots)).toEqual({ kind: 'help' });
    expect(parseSimCommand('officer 鼓楼区温泉街道老年反诈群 gulou-01 登记 鼓楼区 温泉派出所 老年人', bots)).toEqual({ kind: 'officer', group: '鼓楼区温泉街道老年反诈群', botId: 'gulou-01', text: '登记 鼓楼区 温泉派出所 老年人' });
  });

  it('should add a fault to the bot\'s faults so far', () => {
    const so = new Map([['gulou-01', { sendDelayMs: 300 }]]);
    expect(parseSimCommand('fault gulou-01:throttle=6', bots, so)).toEqual({ kind: 'fault', botId: 'gulou-01', faults: { sendDelayMs: 300, throttleAbovePerMinute: 6 } });
  });

  it('should say what is allowed when a line is wrong', () => {
    expect(parseSimCommand('drop gulou-99', bots)).toEqual({ error: 'no bot gulou-99 in this simulator; bots: gulou-01, cangshan-01' });
    expect(parseSimCommand('drop', bots)).toEqual({ error: 'drop needs a bot; bots: gulou-01, cangshan-01' });
    expect(parseSimCommand('reid gulou-01', bots)).toMatchObject({ error: expect.stringContaining('every room') });
    expect(parseSimCommand('fault gulou-01:slow=fast', bots)).toMatchObject({ error: expect.stringContaining('whole number of milliseconds') });
    expect(parseSimCommand('fault nobody:slow=10', bots)).toMatchObject({ error: expect.stringContaining('no bot nobody') });
    expect(parseSimCommand('officer 某群 gulou-01', bots)).toMatchObject({ error: expect.stringContaining('officer takes <group> <bot> <text>') });
    expect(parseSimCommand('officer 某群 gulou-99 暂停', bots)).toMatchObject({ error: expect.stringContaining('no bot gulou-99') });
    expect(parseSimCommand('explode gulou-01', bots)).toMatchObject({ error: expect.stringMatching(/^unknown command "explode"; commands/) });
  });
});
