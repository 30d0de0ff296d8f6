import { describe, expect, it, vi } from 'vitest';
import { ScriptedMembers } from '../../../src/sim/member-behaviour.js';
import { generateWorld } from '../../../src/sim/generate-world.js';
import { SimWorld } from '../../../src/sim/world.js';
import { classifyEngagement } from '../../../src/engagement/attribute.js';
import { parseQuote } from '../../../src/channels/wechaty/quote.js';
import { loadEngagementWords } from '../../../src/config/engagement-words.js';
import { paths } from '../../../src/config/paths.js';
import { reference } from '../../support/sim.js';

describe('ScriptedMembers', () => {
  it('should react to campaign posts as configured and count the truth, which the classifier reads back', async () => {
    vi.useFakeTimers();
    const world = new SimWorld(generateWorld(reference, { groups: 4, membersPerGroup: 40, bots: [{ botId: 'a', name: '宣传员' }], seed: 3 }));
    const members = new ScriptedMembers({ reply: 0.1, mention: 0.05, question: 0.05, keyword: 0.1 }, { seed: 5 });
    world.behaviour = members;
    const bot = world.botContactId('a');
    for (const room of world.rooms.values()) world.post({ roomId: room.id, talkerId: bot, text: '【反诈提醒】不要向陌生账户转账，拨打96110咨询。', mentionIds: [] });
    world.post({ roomId: [...world.rooms.keys()][0]!, talkerId: bot, text: '@某人 这是回复', mentionIds: ['x'] });
    vi.runAllTimers();
    vi.useRealTimers();
    const t = members.truth;
    expect(t.postsReceived).toBe(4);
    expect(t.membersPresent).toBe([...world.rooms.values()].reduce((n, r) => n + r.memberIds.filter((id) => world.contacts.get(id)?.kind !== 'bot').length, 0));
    expect(t.reply + t.mention + t.question + t.keyword).toBeGreaterThan(0);
    const words = loadEngagementWords(paths.content);
    const counts = { reply: 0, mention: 0, question: 0, keyword: 0 };
    for (const m of world.messages.values()) {
      if (m.talkerId === bot) continue;
      const kind = classifyEngagement({ text: m.text, mentionsBot: m.mentionIds.includes(bot), quotesBot: parseQuote(m.text)?.quotedName === '宣传员' }, words);
      if (kind) counts[kind]++;
    }
    expect(counts).toEqual({ reply: t.reply, mention: t.mention, question: t.question, keyword: t.keyword });
  });
});
