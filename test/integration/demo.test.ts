import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { runDemo } from '../../src/demo/run-demo.js';
import { loadLibrary } from '../../src/content/library.js';
import { loadFleetConfig } from '../../src/config/bots.js';
import { paths } from '../../src/config/paths.js';
import { connectStore, type Store } from '../../src/store/connection.js';
import { content } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { engagementReport, reachReport } from '../../src/reports/reports.js';
import { loadDeliveries } from '../../src/outbox/outbox.js';

describe('npm run demo', () => {
  let check: Store;
  const lines: string[] = [];
  beforeAll(async () => {
    check = await connectStore(inject('mongoUri'), { dbName: 'zhimi_demo' });
  });
  afterAll(async () => check?.close());

  it('should log in the shipped bots, register groups through officers, run the shipped campaigns and deliver one post to each group', async () => {
    const { log } = captureLogger('warn');
    const res = await runDemo({
      env: { mongoUri: inject('mongoUri'), memberKey: 'd'.repeat(32), production: false },
      fleet: loadFleetConfig(paths.bots),
      content,
      library: loadLibrary(paths.content),
      contentDir: paths.content,
      campaignDir: join(paths.content, 'campaigns'),
      stateDir: paths.state,
      log,
      groups: 16,
      membersPerGroup: 20,
      speedup: 1000,
      out: (l) => lines.push(l),
    });
    expect(res.planned).toBe(16);
    expect(res.sent).toBe(16);
    expect(await check.models.Group.countDocuments({ status: 'active' })).toBe(16);
    const sent = (await loadDeliveries(check, {})).filter((d) => d.status === 'sent');
    expect(sent).toHaveLength(16);
    expect(new Set(sent.map((d) => String(d.groupId))).size).toBe(16);
    expect(res.reach).toBe(sent.reduce((a, d) => a + (d.reach ?? 0), 0));
    expect(lines.at(-1)).toMatch(/^delivered 16\/16 posts in 4 campaign runs, reached \d+ members/);
    expect(await check.models.Run.countDocuments()).toBe(4);
    expect(new Set(sent.map((d) => d.campaignId))).toEqual(new Set(['elderly-weekly', 'students-term', 'double11-shoppers', 'community-weekly']));
    // the reports say what the simulated residents really did
    const period = { from: res.from, to: res.to };
    const [reach] = await reachReport(check, { ...period, by: [] });
    expect(reach).toMatchObject({ deliveries: res.truth.postsReceived, reach: res.truth.membersPresent, uniqueReach: res.truth.uniquePeople, exact: 'yes' });
    expect(res.truth.postsReceived).toBe(16);
    const [eng] = await engagementReport(check, { ...period, by: [] });
    expect(eng).toMatchObject({ reply: res.truth.reply, mention: res.truth.mention, keyword: res.truth.keyword, question: res.truth.question, click: res.truth.click });
    expect(res.truth.reply + res.truth.keyword).toBeGreaterThan(0);
    expect(lines.some((l) => /^segment\s+deliveries\s+groups\s+reach\s+uniqueReach/.test(l))).toBe(true);
    // residents ask the scam check in a group and privately; both get an answer, both become masked tips
    expect(lines.filter((l) => /^the bot answers in \d+ ms:$/.test(l))).toHaveLength(2);
    expect(lines.some((l) => /^  @\S+ 叔叔阿姨，这很可能是骗局：先别转钱、别点链接、别给验证码。$/u.test(l))).toBe(true);
    const tips = await check.models.Tip.find().lean();
    // the residents' own questions after posts are checked too: one private tip, the rest in groups
    expect(tips.filter((t) => t.channel === 'private')).toHaveLength(1);
    expect(tips.filter((t) => t.channel === 'group').length).toBe(1 + res.truth.question);
    expect(tips.find((t) => t.channel === 'private')!.text).toContain('[链接]');
    expect(tips.find((t) => t.channel === 'private')!.text).toContain('[电话]');
  }, 120_000);
});
