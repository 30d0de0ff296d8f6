import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, TEST_OFFICER, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { systemClock } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { selectGroups } from '../../src/audience/select-groups.js';
import { findGroupByRoomId, listGroups } from '../../src/store/groups-repo.js';
import { insertPlanned, loadDeliveries } from '../../src/outbox/outbox.js';
import type { Store } from '../../src/store/connection.js';
import type { SimRoom } from '../../src/sim/world-model.js';
import { waitFor } from '../support/wait.js';
import { testContext } from '../support/people.js';
import { addPeople } from '../support/api.js';
import { usersDirectory, workerAudit } from '../../src/worker/officer-directory.js';
import { requireSigner } from '../../src/config/keys.js';

const INTRO = '我每周会在群里发几次防骗提醒';
const LIN = { id: 'officer-test-lin', name: '林警官' };

describe('joining groups: invitations, registration and manners', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let fleet: Fleet;
  let rooms: SimRoom[];
  const logs = captureLogger('info');
  const officer = TEST_OFFICER.id;
  let alpha: string;
  let keyer: (id: string) => string;
  let beta: string;
  const stranger = (room: SimRoom) => room.memberIds.find((id) => h.world.contacts.get(id)?.kind === 'member')!;
  const botSays = (room: SimRoom, bot: string) => h.world.roomMessages(room.id).filter((m) => m.talkerId === bot);
  const group = (room: SimRoom) => findGroupByRoomId(store, room.id);

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    // the officers are users with their WeChat ids bound, as an admin adds them: one city-wide, one of 仓山区
    const ctx = testContext(store, systemClock, logs.log);
    keyer = createMemberKeyer(ctx.env.memberKey);
    await addPeople(ctx, [
      { id: 'wang.city', name: TEST_OFFICER.name, roles: ['drafter', 'operator'], wechatIds: [TEST_OFFICER.id] },
      { id: 'lin.cangshan', name: LIN.name, roles: ['drafter', 'publisher'], scope: '仓山区', wechatIds: [LIN.id] },
    ]);
    h = await startSimHarness(['alpha', 'beta'], { groups: 8, membersPerGroup: 12, botsJoined: false, seed: 11 });
    h.world.contacts.set(LIN.id, { ...LIN, kind: 'officer' });
    fleet = new Fleet({
      config: h.config, store, keyer, officers: usersDirectory(store, systemClock), audit: workerAudit(store, requireSigner(ctx.keys(), 'worker'), systemClock),
      log: logs.log, clock: systemClock, channel: h.channel, content, workerId: 'w1',
    });
    await fleet.start();
    rooms = [...h.world.rooms.values()];
    alpha = h.world.botContactId('alpha');
    beta = h.world.botContactId('beta');
  });
  afterAll(async () => {
    await fleet?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should accept an officer\'s invitation, register the group as pending and introduce itself once', async () => {
    const r = rooms[0]!;
    h.world.invite(r.id, officer, alpha);
    await waitFor(async () => expect((await group(r))?.status).toBe('pending'));
    h.world.invite(r.id, officer, beta);
    await waitFor(async () => expect((await group(r))?.botIds.sort()).toEqual(['alpha', 'beta']));
    await waitFor(() => expect(h.world.roomMessages(r.id).filter((m) => m.text.includes(INTRO))).toHaveLength(1));
    const g = await group(r);
    expect(g!.memberCount).toBe(h.world.humanMemberCount(r.id));
  });

  it('should refuse a stranger\'s invitation and log it with the inviter\'s keyed hash only', async () => {
    const r = rooms[1]!;
    const s = stranger(r);
    h.world.invite(r.id, s, alpha);
    await waitFor(() => expect(logs.text()).toContain(keyer(s)));
    expect(logs.text()).toMatch(/declined a group invitation/);
    expect(logs.text()).not.toContain(s);
    expect(h.world.rooms.get(r.id)!.memberIds).not.toContain(alpha);
    expect(await group(r)).toBeUndefined();
  });

  it('should leave politely when a stranger adds it directly', async () => {
    const r = rooms[2]!;
    h.world.addMembers(r.id, [alpha], stranger(r));
    await waitFor(() => expect(h.world.rooms.get(r.id)!.memberIds).not.toContain(alpha));
    expect(botSays(r, alpha).map((m) => m.text).join()).toMatch(/只能由负责的民警拉入群聊/);
    expect(await group(r)).toBeUndefined();
  });

  it('should register a group when an officer adds it directly (puppets without invitations)', async () => {
    const r = rooms[3]!;
    h.world.addMembers(r.id, [alpha], officer);
    await waitFor(async () => expect((await group(r))?.status).toBe('pending'));
    await waitFor(() => expect(botSays(r, alpha).filter((m) => m.text.includes(INTRO))).toHaveLength(1));
  });

  it('should answer a misspelled district with close matches, then tag the group with 登记', async () => {
    const r = rooms[0]!;
    h.world.mention(r.id, officer, 'alpha', '登记 仓三区 金山派出所 老年');
    await waitFor(() => expect(botSays(r, alpha).at(-1)?.text).toMatch(/没有找到区县“仓三区”。您是不是要找：仓山区？/));
    expect(botSays(r, alpha).at(-1)!.mentionIds).toEqual([officer]);
    h.world.mention(r.id, officer, 'alpha', '登记 仓山区 金山派出所 老年');
    await waitFor(async () => expect(await group(r)).toMatchObject({ status: 'active', district: '仓山区', station: '金山派出所', segments: ['elderly'] }));
    await waitFor(() => expect(botSays(r, alpha).at(-1)?.text).toMatch(/^@.*已登记：仓山区 金山派出所/));
  });

  it('should never target an untagged group', async () => {
    const targeted = selectGroups(await listGroups(store), { districts: ['all'] });
    expect(targeted.map((g) => g.roomId)).toEqual([rooms[0]!.id]);
  });

  it('should ignore 暂停 from a non-officer and answer only once with a short note', async () => {
    const r = rooms[0]!;
    const s = stranger(r);
    const before = botSays(r, alpha).length;
    h.world.mention(r.id, s, 'alpha', '暂停');
    h.world.mention(r.id, s, 'alpha', '暂停');
    await waitFor(() => expect(logs.lines().filter((l) => l.includes('ignored a command')).length).toBe(2));
    await waitFor(() => expect(botSays(r, alpha).length).toBe(before + 1));
    expect(botSays(r, alpha).at(-1)!.text).toMatch(/只有登记的民警可以/);
    expect((await group(r))!.status).toBe('active');
  });

  it('should pause and resume on an officer\'s command, the posts already planned for the group skipped', async () => {
    const r = rooms[0]!;
    const g = (await group(r))!;
    await insertPlanned(store, [{ runId: 'run-p', campaignId: 'c', groupId: g.id, roomId: r.id, botId: 'alpha', postId: 'p', contentHash: 'h', text: 't', priority: 0 as const, notBefore: new Date(Date.now() + 3_600_000) }]);
    h.world.mention(r.id, officer, 'alpha', '暂停');
    await waitFor(async () => expect((await group(r))!.status).toBe('paused'));
    expect(selectGroups(await listGroups(store), {})).toHaveLength(0);
    await waitFor(async () => expect((await loadDeliveries(store, { runIds: ['run-p'] })).map((d) => [d.status, d.reason])).toEqual([['skipped', 'group paused by an officer']]));
    h.world.mention(r.id, officer, 'alpha', '恢复');
    await waitFor(async () => expect((await group(r))!.status).toBe('active'));
  });

  it('should hand deliveries to the other bot when one is removed, and skip them once no bot is left', async () => {
    const r = rooms[0]!;
    const g = (await group(r))!;
    await insertPlanned(store, ['run-a', 'run-b'].map((runId) => ({
      runId, campaignId: 'c', groupId: g.id, roomId: r.id, botId: 'alpha', postId: 'p', contentHash: 'h', text: 't', priority: 0 as const, notBefore: new Date(),
    })));
    h.world.removeMembers(r.id, [alpha], r.ownerId);
    await waitFor(async () => expect((await group(r))!.botIds).toEqual(['beta']));
    await waitFor(async () => expect((await loadDeliveries(store, { groupId: g.id })).filter((d) => d.botId === 'beta' && d.status === 'planned')).toHaveLength(2));
    h.world.removeMembers(r.id, [beta], r.ownerId);
    await waitFor(async () => expect((await group(r))!.status).toBe('left'));
    const skipped = async () => (await loadDeliveries(store, { groupId: g.id })).filter((d) => d.runId !== 'run-p').map((d) => [d.status, d.reason]);
    await waitFor(async () => expect(await skipped()).toEqual([['skipped', 'bot removed from group'], ['skipped', 'bot removed from group']]));
    expect((await store.models.Group.findOne({ roomId: r.id }).lean())!.leftAt).toBeInstanceOf(Date);
  });

  it('should leave on an officer\'s 退出 and not introduce itself again when invited back', async () => {
    const r = rooms[3]!;
    h.world.mention(r.id, officer, 'alpha', '退出');
    await waitFor(async () => expect((await group(r))!.status).toBe('left'));
    await waitFor(() => expect(h.world.rooms.get(r.id)!.memberIds).not.toContain(alpha));
    h.world.invite(r.id, officer, alpha);
    await waitFor(async () => expect((await group(r))!.status).toBe('pending'));
    await new Promise((res) => setTimeout(res, 300));
    expect(botSays(r, alpha).filter((m) => m.text.includes(INTRO))).toHaveLength(1);
  });

  it('should refuse politely a command from an officer of another district, and record each command obeyed in the audit', async () => {
    const registered = async (room: SimRoom, district: string, station: string) => {
      h.world.addMembers(room.id, [alpha], TEST_OFFICER.id);
      await waitFor(async () => expect(await group(room)).toMatchObject({ status: 'pending' }));
      h.world.mention(room.id, TEST_OFFICER.id, 'alpha', `登记 ${district} ${station} 老年`);
      await waitFor(() => expect(botSays(room, alpha).at(-1)?.text).toMatch(/已登记/));
      h.world.addMembers(room.id, [LIN.id], TEST_OFFICER.id);
    };
    const other = rooms[5]!;
    const own = rooms[6]!;
    await registered(other, '鼓楼区', '温泉派出所');
    await registered(own, '仓山区', '金山派出所');
    const before = botSays(other, alpha).length;
    h.world.mention(other.id, LIN.id, 'alpha', '暂停');
    await waitFor(() => expect(botSays(other, alpha).length).toBe(before + 1));
    expect(botSays(other, alpha).at(-1)).toMatchObject({ mentionIds: [LIN.id], text: expect.stringContaining('您负责的范围是仓山区，本群属于鼓楼区温泉派出所，不能在此操作。请联系鼓楼区温泉派出所的民警处理。') });
    expect((await group(other))!.status).toBe('active');
    // nor can they re-register it into their own district
    h.world.mention(other.id, LIN.id, 'alpha', '登记 仓山区 金山派出所 老年');
    await waitFor(() => expect(botSays(other, alpha).length).toBe(before + 2));
    expect((await group(other))!.district).toBe('鼓楼区');
    // in a group of their own district they are obeyed
    h.world.mention(own.id, LIN.id, 'alpha', '暂停');
    await waitFor(async () => expect((await group(own))!.status).toBe('paused'));
    h.world.mention(own.id, LIN.id, 'alpha', '恢复');
    await waitFor(async () => expect((await group(own))!.status).toBe('active'));
    // each command is audited once it is carried out
    const audited = () => store.models.Audit.find({ 'target.kind': 'group' }).sort({ _id: 1 }).lean();
    await waitFor(async () => expect((await audited()).map((a) => [a.actor.id, a.action])).toEqual(expect.arrayContaining([['wang.city', 'group.tag'], ['lin.cangshan', 'group.pause'], ['lin.cangshan', 'group.resume']])));
    const audit = await audited();
    expect(audit.every((a) => a.actor.via === 'wechat')).toBe(true);
    const otherId = (await group(other))!.id;
    expect(audit.some((a) => a.actor.id === 'lin.cangshan' && a.target.id === otherId)).toBe(false);
  });

  it('should keep a group\'s member count as people join and leave, without counting a fleet bot', async () => {
    const room = rooms[7]!;
    h.world.addMembers(room.id, [alpha], officer);
    await waitFor(async () => expect(await group(room)).toMatchObject({ status: 'pending' }));
    const before = (await group(room))!.memberCount;
    expect(before).toBe(h.world.humanMemberCount(room.id));
    const newcomer = [...h.world.contacts.entries()].find(([id, c]) => c.kind === 'member' && !room.memberIds.includes(id))![0];
    h.world.addMembers(room.id, [newcomer], stranger(room));
    await waitFor(async () => expect((await group(room))!.memberCount).toBe(before + 1));
    h.world.addMembers(room.id, [beta], officer); // another fleet bot is no member
    await waitFor(async () => expect((await group(room))!.botIds.sort()).toEqual(['alpha', 'beta']));
    expect((await group(room))!.memberCount).toBe(before + 1);
    h.world.removeMembers(room.id, [newcomer], officer);
    await waitFor(async () => expect((await group(room))!.memberCount).toBe(before));
  });

  it('should log no raw member or officer id', () => {
    for (const c of h.world.contacts.values()) if (c.kind === 'member') expect(logs.text()).not.toContain(c.id);
  });
});
