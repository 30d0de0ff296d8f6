import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { content, testBot, testFleetConfig } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { FakeClock } from '../support/clock.js';
import { waitFor } from '../support/wait.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { createScamDesk, type ScamDesk } from '../../src/scamcheck/desk.js';
import type { InboundMessage } from '../../src/channels/channel.js';
import { paths } from '../../src/config/paths.js';
import type { Store } from '../../src/store/connection.js';

const COURIER = '刚才有人打电话说我快递丢了要赔我钱，让我下个会议软件，是真的吗？';
const keyer = createMemberKeyer('s'.repeat(32));

describe('the scam check across workers', () => {
  let store: Store & { drop(): Promise<void> };
  const clock = new FakeClock('2026-11-24T10:17:23.456+08:00');
  const logs = captureLogger('info');
  let desks: ScamDesk[];

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    const fleet = { ...testFleetConfig([testBot('alpha'), testBot('beta')]), scamCheck: { perMember: 3, windowMinutes: 10, maxChars: 500, perGroup: 5 } };
    // two workers: each its own desk (its own per-member quota), one database
    desks = ['w1', 'w2'].map(() => createScamDesk({ contentDir: paths.content, fleet, messages: content.messages, hotline: content.ref.hotline, store, keyer, clock, log: logs.log }));
  });
  afterAll(async () => {
    await store?.drop();
  });

  /** `n` members each ask once in `roomId`, through both workers at once; the answers they get. */
  async function askMany(roomId: string, n: number, tag: string): Promise<string[]> {
    const answers: string[] = [];
    await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const m: InboundMessage = {
          id: `${tag}-${i}`, botId: i % 2 ? 'beta' : 'alpha', roomId, senderKey: keyer(`wxid_${tag}_${i}`), fromFleetBot: false, mentionsBot: true,
          text: `@测试宣传员 ${COURIER}`, sentAt: clock.now(), reply: async (t) => void answers.push(t),
        };
        return desks[i % 2]!.onMention(m);
      }),
    );
    return answers;
  }

  it('should answer at most scamCheck.perGroup checks in one group per window, whichever worker hears them', async () => {
    expect(await askMany('r1@chatroom', 40, 'a')).toHaveLength(5);
    // another group has its own limit
    expect(await askMany('r2@chatroom', 8, 'b')).toHaveLength(5);
    clock.advance(10 * 60_000);
    expect(await askMany('r1@chatroom', 3, 'c')).toHaveLength(3);
    expect(logs.text()).toMatch(/scam check not answered: the group's limit for this window is reached/);
  });

  it('should store tips with the hour, and no group, bot or exact time that would join them to the asker\'s question', async () => {
    // tips are written right after their answers, without holding them up
    await waitFor(async () => expect(await store.models.Tip.countDocuments({})).toBe(13));
    const tips = (await store.models.Tip.find({}).lean()) as unknown as Record<string, unknown>[];
    for (const t of tips) {
      expect((t['at'] as Date).getTime() % 3600_000).toBe(0);
      expect(t).not.toHaveProperty('groupId');
      expect(t).not.toHaveProperty('botId');
      expect(t).not.toHaveProperty('memberKey');
    }
  });
});
