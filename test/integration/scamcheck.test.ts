import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openTestStore, testDbUri } from '../support/db.js';
import { content, startSimHarness, TEST_OFFICER, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { FakeClock } from '../support/clock.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { createScamDesk } from '../../src/scamcheck/desk.js';
import { quoteText } from '../../src/sim/member-behaviour.js';
import { askBot } from '../../src/sim/ask-bot.js';
import { tagGroup } from '../../src/store/groups-repo.js';
import { paths } from '../../src/config/paths.js';
import type { Store } from '../../src/store/connection.js';
import type { SimMessage, SimRoom } from '../../src/sim/world-model.js';
import { waitFor } from '../support/wait.js';
import { configOfficers } from '../support/people.js';

const keyer = createMemberKeyer('s'.repeat(32));
const COURIER = '刚才有人打电话说我快递丢了要赔我钱，让我下个会议软件，是真的吗？';
const FORWARDED = '【理赔中心】您的快递丢失，理赔专员将为您办理三倍赔偿，请联系 13812345678 或点击 http://lipei-kd.top/a 填写银行卡号 6222 0212 3456 7890 123 和验证码';

describe('the scam check: members ask the bot "is this a scam?"', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let fleet: Fleet;
  let room: SimRoom;
  let members: string[];
  const clock = new FakeClock('2026-11-24T10:00:00+08:00');
  const logs = captureLogger('info');

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['alpha', 'beta'], { groups: 2, membersPerGroup: 12, seed: 21, secondBotShare: 1 });
    const config = { ...h.config, scamCheck: { perMember: 3, windowMinutes: 10, maxChars: 120 } };
    fleet = new Fleet({
      config: config, store, keyer, officers: configOfficers(config, keyer), log: logs.log, clock, channel: h.channel, content, workerId: 'w1',
      inbound: createScamDesk({ contentDir: paths.content, fleet: config, messages: content.messages, hotline: content.ref.hotline, store, keyer, clock, log: logs.log }),
    });
    await fleet.start();
    await fleet.discoverGroups();
    // a group both bots sit in (the other bot's messages must not be answered)
    room = [...h.world.rooms.values()].find((r) => r.memberIds.includes(h.world.botContactId('alpha')) && r.memberIds.includes(h.world.botContactId('beta')))!;
    expect(room).toBeDefined();
    members = room.memberIds.filter((id) => h.world.contacts.get(id)?.kind === 'member');
    expect(await tagGroup(store, room.id, { district: '鼓楼区', segments: ['elderly'], taggedBy: keyer(TEST_OFFICER.id) })).toBeDefined();
  });
  afterAll(async () => {
    await fleet?.close();
    await h?.stop();
    await store?.drop();
  });

  const ask = (memberId: string, text: string, inRoom = true) => askBot(h.world, { botId: 'alpha', memberId, text, ...(inRoom ? { roomId: room.id } : {}), timeoutMs: 3000 });
  /** The bot's messages in the room after the first `skip` (take `botReplies().length` as a mark). */
  const botReplies = (skip = 0): SimMessage[] => h.world.roomMessages(room.id).filter((m) => m.talkerId === h.world.botContactId('alpha')).slice(skip);

  it('should answer a member\'s question in the group within a second, as a reply mentioning them, with risk, type, signals and what to do', async () => {
    const asker = members[0]!;
    const { answer, ms } = await ask(asker, COURIER);
    expect(ms).toBeLessThan(1000);
    expect(answer.mentionIds).toEqual([asker]);
    expect(answer.text.startsWith(`@${h.world.contacts.get(asker)!.name}`)).toBe(true);
    // an elderly group gets the shortest form, led by one plain line
    expect(answer.text).toContain('叔叔阿姨，这很可能是骗局：先别转钱、别点链接、别给验证码。');
    expect(answer.text).toContain('这像是：冒充快递、网店客服“退款理赔”。');
    expect(answer.text).toContain('不用开屏幕共享');
    expect(answer.text).toMatch(/96110.*110/su);
    expect(answer.text).not.toContain('三不一多');
  });

  it('should judge a quoted message when a member quotes it and @-mentions the bot', async () => {
    const asker = members[1]!;
    const text = quoteText(h.world.contacts.get(members[2]!)!.name, '我是公安局刑侦支队的，你涉嫌洗钱，把钱转到安全账户自证清白，这事要保密', '@测试宣传员alpha\u2005这是诈骗吗？');
    const since = botReplies().length;
    h.world.post({ roomId: room.id, talkerId: asker, text, mentionIds: [h.world.botContactId('alpha')] });
    await waitFor(() => expect(botReplies(since).filter((m) => m.mentionIds.includes(asker))).toHaveLength(1));
    const answer = botReplies(since)[0]!.text;
    expect(answer).toContain('这很可能是骗局');
    expect(answer).toContain('冒充公安、法院、政府部门');
    expect(answer).toContain('没有“安全账户”');
  });

  it('should answer a private question privately', async () => {
    const asker = members[3]!;
    const { answer } = await ask(asker, FORWARDED, false);
    expect(answer.roomId).toBeUndefined();
    expect(answer.listenerId).toBe(asker);
    expect(answer.text).toContain('这很可能是骗局：先别转钱、别点链接、别给验证码。');
    expect(answer.text).not.toContain('叔叔阿姨'); // no group, no audience wording
    expect(answer.text).not.toContain('lipei-kd'); // a scam link is never repeated
  });

  it('should rate a police warning low and still say how to verify through an official channel', async () => {
    const { answer } = await ask(members[4]!, '警方提醒：凡是自称客服说快递丢失要理赔，让你下载会议软件、开屏幕共享的，都是诈骗！');
    expect(answer.text).toContain('暂时没看出骗局的迹象');
    expect(answer.text).toContain('官方');
    expect(answer.text).toContain('96110');
  });

  it('should cut a very long text and say so', async () => {
    const { answer } = await ask(members[5]!, COURIER + '。'.repeat(10) + '后面还有很多很多字'.repeat(20));
    expect(answer.text).toContain('（内容较长，只看了前120个字。）');
  });

  it('should give a member at most the configured checks per window, one note, then silence, and answer again later', async () => {
    const asker = members[6]!;
    for (let i = 0; i < 3; i++) expect((await ask(asker, `${COURIER}${i}`)).answer.text).toContain('这很可能是骗局');
    const limited = await ask(asker, COURIER);
    expect(limited.answer.text).toMatch(/请10分钟后再问我/u);
    const since = botReplies().length;
    h.world.mention(room.id, asker, 'alpha', COURIER);
    await new Promise((r) => setTimeout(r, 500));
    expect(botReplies(since).filter((m) => m.mentionIds.includes(asker)).map((m) => m.text)).toEqual([]);
    clock.advance(10 * 60_000);
    expect((await ask(asker, COURIER)).answer.text).toContain('这很可能是骗局');
  });

  it('should not answer thanks, a quote of its own post, or another bot of the fleet', async () => {
    const post = '【防骗提醒】凡是要求垫付的刷单都是诈骗';
    await fleet.runner('alpha')!.announce(room.id, post);
    const since = botReplies().length;
    h.world.mention(room.id, members[7]!, 'alpha', '辛苦了');
    h.world.post({ roomId: room.id, talkerId: members[8]!, text: quoteText('测试宣传员alpha', post, '@测试宣传员alpha\u2005收到'), mentionIds: [h.world.botContactId('alpha')] });
    const beta = h.world.botContactId('beta');
    h.world.mention(room.id, beta, 'alpha', COURIER);
    await new Promise((r) => setTimeout(r, 600));
    expect(botReplies(since)).toHaveLength(0);
    // a bare "is this a scam?" with nothing to check gets the how-to hint
    const { answer } = await ask(members[7]!, '这是诈骗吗？');
    expect(answer.text).toContain('引用');
  });

  it('should answer a member whose group nickname is the bot\'s display name, and check a message shown under that name: a sender is the bot only by its account', async () => {
    const botName = h.world.contacts.get(h.world.botContactId('alpha'))!.name;
    const impostor = members[9]!;
    const contact = h.world.contacts.get(impostor)!;
    const ownName = contact.name;
    contact.name = botName;
    try {
      // the member asks under the bot's name: answered like anyone
      const { answer } = await ask(impostor, COURIER);
      expect(answer.mentionIds).toEqual([impostor]);
      expect(answer.text).toContain('这很可能是骗局');
      // a message the bot's account never said, quoted under the bot's name, is checked too, even one that reads harmless
      const bait = '明天下午三点社区活动室开会，大家准时参加';
      h.world.post({ roomId: room.id, talkerId: impostor, text: bait, mentionIds: [] });
      const asker = members[2]!;
      const since = botReplies().length;
      h.world.post({ roomId: room.id, talkerId: asker, text: quoteText(botName, bait, `@${botName}\u2005这是真的吗？`), mentionIds: [h.world.botContactId('alpha')] });
      await waitFor(() => expect(botReplies(since).filter((m) => m.mentionIds.includes(asker))).toHaveLength(1));
    } finally {
      contact.name = ownName;
    }
  });

  it('should file every check as a masked tip without member identity, and `zhimi report tips` should show them by type, district and day', async () => {
    await waitFor(async () => expect(await store.models.Tip.countDocuments()).toBe(11));
    const tips = await store.models.Tip.find().lean();
    const forwarded = tips.find((t) => t.channel === 'private')!;
    expect(forwarded.text).toContain('[手机号]');
    expect(forwarded.text).toContain('[链接]');
    expect(forwarded.text).toContain('[银行卡号]');
    expect(forwarded.text).not.toMatch(/13812345678|lipei|6222/);
    expect(forwarded.district).toBeUndefined();
    const inGroup = tips.filter((t) => t.channel === 'group');
    expect(inGroup.every((t) => t.district === '鼓楼区' && t.day === '2026-11-24')).toBe(true);
    // no member id, name or key anywhere in a tip
    const raw = JSON.stringify(tips);
    for (const m of members) {
      expect(raw).not.toContain(m);
      expect(raw).not.toContain(keyer(m));
      expect(raw).not.toContain(h.world.contacts.get(m)!.name);
    }
    const r = spawnSync(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), 'report', 'tips', '--from', '2026-11-24', '--to', '2026-11-30', '--by', 'type,district,day', '--format', 'json'], {
      cwd: paths.root, encoding: 'utf8', env: { ...process.env, MONGODB_URI: testDbUri(import.meta.url), ZHIMI_LOG_LEVEL: 'silent' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as { type: string; district: string; day: string; checks: number; high: number }[];
    expect(rows.reduce((a, x) => a + x.checks, 0)).toBe(tips.length);
    const courier = rows.find((x) => x.type === '冒充电商物流客服' && x.district === '鼓楼区')!;
    expect(courier.day).toBe('2026-11-24');
    expect(courier.high).toBe(tips.filter((t) => t.type === 'fake-cs' && t.risk === 'high' && t.district === '鼓楼区').length);
  });

  it('should answer a question once when the puppet delivers it twice, or replays it after a restart, and never answer history', async () => {
    const alpha = h.sim.endpoints.find((e) => e.botId === 'alpha')!.puppet;
    const answersTo = (asker: string, since: number) => botReplies(since).filter((m) => m.mentionIds.includes(asker));
    // delivered twice, moments apart
    const asker = members[9]!;
    let since = botReplies().length;
    alpha.faults = { deliverTwice: true };
    const { question } = await ask(asker, COURIER);
    await new Promise((r) => setTimeout(r, 400));
    alpha.faults = {};
    expect(answersTo(asker, since)).toHaveLength(1);

    // the worker restarts (another process, same database) and the puppet replays recent history: answered already
    await fleet.close();
    fleet = new Fleet({
      config: { ...h.config, scamCheck: { perMember: 3, windowMinutes: 10, maxChars: 120 } }, store, keyer, officers: configOfficers(h.config, keyer), log: logs.log, clock, channel: h.channel, content, workerId: 'w2',
      inbound: createScamDesk({ contentDir: paths.content, fleet: h.config, messages: content.messages, hotline: content.ref.hotline, store, keyer, clock, log: logs.log }),
    });
    await fleet.start();
    since = botReplies().length;
    alpha.redeliver([question.id]);
    // history from before the restart, never answered then (sent 30 minutes ago): too old to answer now
    const other = members[10]!;
    h.world.post({ roomId: room.id, talkerId: other, text: `@测试宣传员alpha\u2005${COURIER}`, mentionIds: [h.world.botContactId('alpha')], timestamp: Date.now() - 30 * 60_000 });
    await new Promise((r) => setTimeout(r, 600));
    expect(answersTo(asker, since)).toHaveLength(0);
    expect(answersTo(other, since)).toHaveLength(0);
    // the restarted bot answers what is asked now
    expect((await ask(other, COURIER)).answer.text).toContain('这很可能是骗局');
    await waitFor(() => expect(logs.text()).toContain('ignored messages delivered twice or replayed from before the bot came online'));
  });
});
