import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openTestStore, testDbUri } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { Limiters } from '../../src/delivery/limiters.js';
import { JumpingClock } from '../../src/demo/jumping-clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { recorderFor, type EngagementRecorder } from '../../src/engagement/recorder.js';
import { startLinkServer, type LinkServer } from '../../src/api/link-server.js';
import { shortLink } from '../../src/shared/link-code.js';
import { quoteText } from '../../src/sim/member-behaviour.js';
import { deliveryIdFor } from '../../src/shared/delivery-id.js';
import { insertPlanned } from '../../src/outbox/outbox.js';
import { listGroups, tagGroup } from '../../src/store/groups-repo.js';
import { type GroupRecord } from '../../src/shared/groups.js';
import { engagementReport, reachReport, uniqueReachTotal } from '../../src/reports/reports.js';
import { shanghaiDay } from '../../src/config/clock.js';
import { paths } from '../../src/config/paths.js';
import type { Post } from '../../src/content/post-schema.js';
import type { Store } from '../../src/store/connection.js';
import type { SimRoom } from '../../src/sim/world-model.js';
import { waitFor } from '../support/wait.js';
import { configOfficers } from '../support/people.js';

const keyer = createMemberKeyer('e'.repeat(32));
const LINK = 'https://www.mps.gov.cn/';

describe('reach and engagement, measured against what the simulated residents did', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let fleet: Fleet;
  let recorder: EngagementRecorder;
  let links: LinkServer;
  let rooms: SimRoom[];
  let groups: GroupRecord[];
  let shared: string;
  const clock = new JumpingClock();
  const logs = captureLogger('warn');
  const deliveryOf = new Map<string, string>();
  const humans = (r: SimRoom) => r.memberIds.filter((id) => h.world.contacts.get(id)?.kind === 'member');
  /** Reach counts everyone in the group but the fleet's bots (officers too). */
  const people = (r: SimRoom) => r.memberIds.filter((id) => h.world.contacts.get(id)?.kind !== 'bot');
  const botPost = (r: SimRoom) => h.world.roomMessages(r.id).find((m) => m.text.startsWith('【测试】'))!;
  const total = () => Object.values(recorder.recorded).reduce((a, b) => a + b, 0);
  const period = () => ({ from: shanghaiDay(new Date(Date.now() - 86_400_000)), to: shanghaiDay(clock.now()) });

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['alpha', 'beta'], { groups: 4, membersPerGroup: 10, secondBotShare: 1, seed: 8 });
    rooms = [...h.world.rooms.values()];
    // one resident sits in three groups
    shared = humans(rooms[0]!)[0]!;
    for (const r of [rooms[1]!, rooms[2]!]) r.memberIds.push(shared);
    recorder = recorderFor({ contentDir: paths.content, fleet: h.config, store, keyer, clock, log: logs.log, writer: 'test-writer', flushEveryMs: 50 });
    links = await startLinkServer({ recorder, library: [{ id: 'p-link', link: LINK } as Post], allowedDomains: ['mps.gov.cn'], log: logs.log, port: 0 });
    fleet = new Fleet({ config: h.config, store, keyer, officers: configOfficers(h.config, keyer), log: logs.log, clock, channel: h.channel, content, workerId: 'w1', inbound: recorder });
    await fleet.start();
    await fleet.discoverGroups();
    const tags: [string, 'elderly' | 'students' | 'general'][] = [['鼓楼区', 'elderly'], ['仓山区', 'students'], ['仓山区', 'general'], ['仓山区', 'general']];
    for (const [i, r] of rooms.entries()) await tagGroup(store, r.id, { district: tags[i]![0], segments: [tags[i]![1]], taggedBy: 'test' });
    groups = await listGroups(store, { status: 'active' });
    // a campaign post with a tracked link to the first three groups (not the fourth)
    const targets = rooms.slice(0, 3).map((r) => groups.find((g) => g.roomId === r.id)!);
    await insertPlanned(store, targets.map((g) => {
      const id = deliveryIdFor('c1@1', g.id);
      deliveryOf.set(g.roomId, id);
      return { id, runId: 'c1@1', campaignId: 'c1', groupId: g.id, roomId: g.roomId, botId: g.botIds.sort()[0]!, postId: 'p-link', contentHash: 'h', text: `【测试】陌生链接不点击。\n${shortLink(links.url, id)}`, priority: 0 as const, notBefore: new Date() };
    }));
    const dispatcher = new Dispatcher({
      store, clock, log: logs.log, workerId: 'w1', runnerOf: (id) => fleet.runner(id), botNotInGroup: (b, g) => fleet.botMissingFromGroup(b, g),
      limitsOf: () => ({ minGapMs: 1000, jitterMs: 0, perMinute: 600, perHour: 10_000, perDay: 100_000 }), limiters: new Limiters(h.config), gapScale: 100,
    });
    dispatcher.on('delivery:sent', (e) => void recorder.onSent(e));
    await dispatcher.drain(['alpha', 'beta']);
    await recorder.flush();
  });
  afterAll(async () => {
    await fleet?.close();
    await recorder?.close();
    await links?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should count reach as members at send time, and a resident in three groups once in unique reach', async () => {
    const reached = rooms.slice(0, 3);
    const [row] = await reachReport(store, { ...period(), by: [] });
    expect(row).toMatchObject({ deliveries: 3, groups: 3, reach: reached.reduce((a, r) => a + people(r).length, 0), exact: 'yes' });
    expect(row!['uniqueReach']).toBe(new Set(reached.flatMap(people)).size);
    // the shared resident counts once, not three times (officers in several groups count once too)
    const overlap = reached.flatMap(people).length - new Set(reached.flatMap(people)).size;
    expect(overlap).toBeGreaterThanOrEqual(2);
    expect(Number(row!['reach']) - Number(row!['uniqueReach'])).toBe(overlap);
    expect(await uniqueReachTotal(store, period())).toEqual({ members: new Set(reached.flatMap(people)).size, groups: 3, exact: true });
    const bySegment = await reachReport(store, { ...period(), by: ['segment'] });
    expect(bySegment.map((r) => r['segment'])).toEqual(['elderly', 'general', 'students']);
  });

  it('should attribute replies, mentions, keywords and questions to the post, once even with two fleet bots in the group', async () => {
    const [r0, r1, r2] = rooms;
    const m = (r: SimRoom, i: number) => humans(r)[i + 1]!;
    const bot = h.world.contacts.get(botPost(r0!).talkerId)!.name;
    h.world.post({ roomId: r0!.id, talkerId: m(r0!, 0), text: quoteText(bot, botPost(r0!).text, '收到'), mentionIds: [] });
    h.world.post({ roomId: r1!.id, talkerId: m(r1!, 0), text: '收到，谢谢提醒', mentionIds: [] });
    h.world.mention(r2!.id, m(r2!, 0), 'alpha', '辛苦了');
    h.world.mention(r2!.id, m(r2!, 1), 'alpha', '这个链接能点吗？');
    h.world.post({ roomId: r1!.id, talkerId: m(r1!, 1), text: '今天天气不错', mentionIds: [] }); // chatter: nothing
    await waitFor(() => expect(total()).toBe(4));
    expect(recorder.recorded).toMatchObject({ reply: 1, keyword: 1, mention: 1, question: 1 });
  });

  it('should not attribute engagement in a group without a post, or after the window', async () => {
    const r3 = rooms[3]!;
    h.world.post({ roomId: r3.id, talkerId: humans(r3)[0]!, text: '收到，谢谢提醒', mentionIds: [] });
    await new Promise((r) => setTimeout(r, 400));
    expect(total()).toBe(4);
    clock.jumpTo(new Date(clock.now().getTime() + 2 * 3_600_000 + 60_000));
    h.world.post({ roomId: rooms[0]!.id, talkerId: humans(rooms[0]!)[3]!, text: '已转发', mentionIds: [] });
    await new Promise((r) => setTimeout(r, 400));
    expect(total()).toBe(4);
  });

  it('should count a click on a tracked link and redirect only to the allow-listed target', async () => {
    const res = await fetch(shortLink(links.url, deliveryOf.get(rooms[1]!.id)!), { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (iPhone) MicroMessenger/8.0' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(LINK);
    expect((await fetch(`${links.url}/r/AAAAAAAAAAAAAAAAAAAAAA`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${links.url}/r/nonsense`, { redirect: 'manual' })).status).toBe(404);
    await recorder.flush();
    const click = await store.models.Engagement.findOne({ kind: 'click' }).lean();
    expect(click).toMatchObject({ client: 'wechat', segment: 'students', district: '仓山区' });
    expect(Object.keys(click!).sort()).toEqual(['_id', 'at', 'campaignId', 'client', 'day', 'deliveryId', 'district', 'groupId', 'kind', 'postId', 'segment']);
  });

  it('should report the counts, from the database and from `zhimi report`, and keep no raw member id anywhere in the database', async () => {
    await recorder.flush();
    const rows = await engagementReport(store, { ...period(), by: ['segment'] });
    const sum = (k: string) => rows.reduce((a, r) => a + Number(r[k]), 0);
    expect({ reply: sum('reply'), mention: sum('mention'), keyword: sum('keyword'), question: sum('question'), click: sum('click') }).toEqual({ reply: 1, mention: 1, keyword: 1, question: 1, click: 1 });
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), 'report', ...args], { cwd: paths.root, encoding: 'utf8', env: { ...process.env, MONGODB_URI: testDbUri(import.meta.url), ZHIMI_LOG_LEVEL: 'silent' } });
    const p = period();
    const eng = cli('engagement', '--from', p.from, '--to', p.to, '--by', 'campaign', '--format', 'json');
    expect(eng.stderr).toBe('');
    expect(JSON.parse(eng.stdout)).toEqual([expect.objectContaining({ campaign: 'c1', reply: 1, mention: 1, keyword: 1, question: 1, click: 1, total: 5 })]);
    const posts = JSON.parse(cli('posts', '--from', p.from, '--to', p.to, '--format', 'json').stdout);
    expect(posts[0]).toMatchObject({ post: 'p-link', deliveries: 3, engagements: 5 });
    const groupsReport = JSON.parse(cli('groups', '--from', p.from, '--to', p.to, '--format', 'json').stdout) as { group: string; problem: string }[];
    expect(groupsReport.find((g) => g.group === rooms[3]!.topic)?.problem).toMatch(/^no post since/);
    expect(groupsReport.find((g) => g.group === rooms[0]!.topic)).toBeUndefined(); // posted and replied to
    // a district's posts: its own deliveries, reach and engagements (a district's analysts and weekly report rank these)
    const inDistrict = (d: string) => JSON.parse(cli('posts', '--from', p.from, '--to', p.to, '--district', d, '--format', 'json').stdout) as { post: string; deliveries: number; reach: number; engagements: number }[];
    const [cangshan] = inDistrict('仓山区');
    const [gulou] = inDistrict('鼓楼区');
    expect(cangshan).toMatchObject({ post: 'p-link', deliveries: 2, reach: people(rooms[1]!).length + people(rooms[2]!).length });
    expect(gulou).toMatchObject({ post: 'p-link', deliveries: 1, reach: people(rooms[0]!).length });
    expect(cangshan!.engagements + gulou!.engagements).toBe(5);
    expect(inDistrict('马尾区')).toEqual([]);
    const byDistrict = JSON.parse(cli('reach', '--from', p.from, '--to', p.to, '--by', 'post,district', '--format', 'json').stdout) as { district: string; deliveries: number }[];
    expect(byDistrict.map((r) => [r.district, r.deliveries]).sort()).toEqual([['仓山区', 2], ['鼓楼区', 1]]);
    const bad = cli('reach', '--by', 'post', '--segment', 'elderly');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/posts are counted per day, campaign and district, not per segment/);
    // every document of every collection: no raw WeChat id, no nickname
    const raw: string[] = [];
    for (const c of await store.connection.db!.listCollections().toArray()) raw.push(JSON.stringify(await store.connection.db!.collection(c.name).find().toArray()));
    const all = raw.join('\n');
    for (const c of [...h.world.contacts.values()].filter((x) => x.kind === 'member' || x.kind === 'officer')) {
      expect(all).not.toContain(c.id);
      expect(all).not.toContain(`"${c.name}"`);
    }
    expect(all).toContain(keyer(humans(rooms[0]!)[1]!)); // members appear as keyed hashes only
  });
});
