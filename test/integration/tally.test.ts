import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { Types } from 'mongoose';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openTestStore, testDbUri } from '../support/db.js';
import { FakeClock } from '../support/clock.js';
import { captureLogger } from '../support/log.js';
import { paths } from '../../src/config/paths.js';
import { shanghaiDay } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { recorderFor } from '../../src/engagement/recorder.js';
import { Tally } from '../../src/engagement/tally.js';
import { AreaIndex } from '../../src/engagement/area-index.js';
import { completeDeadSessions } from '../../src/engagement/tally-recovery.js';
import { writeTallyFlush, openTallySession, touchTallySession } from '../../src/store/engagement-repo.js';
import { insertEventRows } from '../../src/store/deliveries-repo.js';
import { tagGroup, upsertSeenGroup } from '../../src/store/groups-repo.js';
import { checkStoredDay } from '../../src/app/report-check.js';
import { reachReport } from '../../src/reports/reports.js';
import type { SentUnit } from '../../src/delivery/event-writer.js';
import type { Dispatcher } from '../../src/delivery/dispatcher.js';
import type { Store } from '../../src/store/connection.js';
import { testBot, testFleetConfig } from '../support/sim.js';

const keyer = createMemberKeyer('t'.repeat(32));

describe('counters that equal the outbox', () => {
  let store: Store & { drop(): Promise<void> };
  const clock = new FakeClock('2026-11-25T10:00:00+08:00');
  const day = '2026-11-25';
  const groupIds: string[] = [];
  const logs = captureLogger('info');

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    for (let i = 0; i < 4; i++) {
      await upsertSeenGroup(store, { roomId: `t${i}@chatroom`, topic: `仓山区老年群${i}`, memberCount: 5, botId: 'alpha', sample: '' }, clock.now());
      const g = (await tagGroup(store, `t${i}@chatroom`, { district: '仓山区', segments: ['elderly'], taggedBy: 'test' }))!;
      groupIds.push(g.id);
    }
  });
  afterAll(async () => store?.drop());

  const unit = (seq: number, session: string, items: { id: string; group: number; reach: number }[]): SentUnit => ({
    id: `${session}:s${seq}`, seq,
    items: items.map((i) => ({ deliveryId: i.id, botId: 'alpha', groupId: groupIds[i.group]!, campaignId: 'c', postId: 'p', reach: i.reach, sentAt: clock.now(), day })),
  });
  /** The sent batch an outbox write holds for a unit (what the dispatcher's event writer inserts). */
  const writeSentBatch = (u: SentUnit, runId: string) =>
    insertEventRows(store, [{
      _id: `sent:${u.id}`, kind: 'sent-batch', runId, campaignId: 'c', botId: 'alpha', workerId: 'w', at: clock.now(), count: u.items.length, groupIds: u.items.map((i) => i.groupId),
      items: u.items.map((i) => ({ deliveryId: i.deliveryId, seq: 2, groupId: i.groupId, postId: i.postId, reach: i.reach, sentAt: i.sentAt, day: i.day })), unit: u.id,
    } as never]);

  it('should count a sent post once its outcome is in the outbox, never one whose outcome was not written (it ends unknown)', async () => {
    const recorder = recorderFor({ contentDir: paths.content, fleet: testFleetConfig([testBot('alpha')]), store, keyer, clock, log: logs.log, writer: 'w-follow' });
    const dispatcher = new EventEmitter();
    recorder.follow(dispatcher as unknown as Pick<Dispatcher, 'on'>);
    await recorder.start();
    const sent = (id: string, group: number) => dispatcher.emit('delivery:sent', { deliveryId: id, botId: 'alpha', roomId: `t${group}@chatroom`, groupId: groupIds[group]!, campaignId: 'c', postId: 'p', sentAt: clock.now(), reach: 2, priority: 0, memberKeys: () => [keyer(`m${group}a`), keyer(`m${group}b`)] });
    const ids = [new Types.ObjectId().toHexString(), new Types.ObjectId().toHexString()];
    sent(ids[0]!, 0);
    sent(ids[1]!, 1);
    // only the first one's sent outcome reached the outbox (the worker died before writing the other's)
    const u = unit(1, recorder.session, [{ id: ids[0]!, group: 0, reach: 2 }]);
    await writeSentBatch(u, 'follow@1');
    dispatcher.emit('sent:recorded', u);
    await recorder.close();
    const [row] = await reachReport(store, { from: day, to: day, by: [] });
    expect(row).toMatchObject({ deliveries: 1, reach: 2, groups: 1, uniqueReach: 2 });
    expect((await checkStoredDay(store, day)).differences).toEqual([]);
  });

  it('should apply a flush once however often it is written (a retry whose first try\'s answer was lost)', async () => {
    // (another day: these counts have no outbox behind them)
    const other = '2026-11-20';
    const t = new Tally('w-retry~1');
    t.foldSent({ kind: 's', seq: 1 }, [{ target: { day: other, campaignId: 'r', postId: 'p', groupId: groupIds[2]!, segment: 'elderly', district: '仓山区' }, reach: 7, memberKeys: [] }]);
    const flush = t.takeFlush()!;
    await writeTallyFlush(store, flush);
    await writeTallyFlush(store, flush, new Set());
    await writeTallyFlush(store, flush, new Set(flush.counters.map((c) => c.id)));
    const [row] = await reachReport(store, { from: other, to: other, campaign: 'r', by: [] });
    expect(row).toMatchObject({ deliveries: 1, reach: 7 });
    expect(await store.models.Counters.group.countDocuments({ campaignId: 'r' })).toBe(1);
  });

  it('should complete the counters of a session whose process died part-way through a flush, each unit once', async () => {
    const session = 'w-dead~beef';
    await openTallySession(store, { _id: session, writer: 'w-dead', exitAfterMs: 1000, at: clock.now() });
    const units = [unit(1, session, [{ id: new Types.ObjectId().toHexString(), group: 0, reach: 3 }]), unit(2, session, [{ id: new Types.ObjectId().toHexString(), group: 1, reach: 4 }]), unit(3, session, [{ id: new Types.ObjectId().toHexString(), group: 3, reach: 5 }])];
    for (const u of units) await writeSentBatch(u, 'dead@1');
    // its process counted units 1 and 2, wrote part of that flush (the area counters, not the post counter), and was killed
    const t = new Tally(session);
    for (const u of units.slice(0, 2)) t.foldSent({ kind: 's', seq: u.seq }, u.items.map((i) => ({ target: { day, campaignId: 'c', postId: 'p', groupId: i.groupId, segment: 'elderly', district: '仓山区' }, reach: i.reach, memberKeys: [] })));
    const flush = t.takeFlush()!;
    await writeTallyFlush(store, { ...flush, counters: flush.counters.filter((c) => c.level !== 'post'), groupDocs: flush.groupDocs.slice(0, 1) });
    await touchTallySession(store, session, clock.now());
    expect((await checkStoredDay(store, day)).differences).not.toEqual([]);
    // alive for all anyone knows: nothing is touched
    const areas = new AreaIndex(store, clock);
    expect(await completeDeadSessions({ store, clock, log: logs.log, adopter: 'w-other', areas })).toBe(0);
    // its process would have given up by now: another completes it
    clock.advance(20_000);
    expect(await completeDeadSessions({ store, clock, log: logs.log, adopter: 'w-other', areas })).toBe(1);
    expect((await checkStoredDay(store, day)).differences).toEqual([]);
    expect(await store.models.TallySession.findById(session).lean()).toMatchObject({ adoptedBy: 'w-other', sUpTo: 3 });
    expect(await completeDeadSessions({ store, clock, log: logs.log, adopter: 'w-third', areas })).toBe(0);
    expect(shanghaiDay(clock.now())).toBe(day);
  });

  it('should say from `zhimi report check` whether a day\'s counters equal the outbox (exit 5 where they differ)', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), 'report', 'check', ...args], { cwd: paths.root, encoding: 'utf8', env: { ...process.env, MONGODB_URI: testDbUri(import.meta.url), ZHIMI_LOG_LEVEL: 'silent' } });
    const ok = cli('--day', day);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^check 2026-11-25: the outbox holds 4 posts sent \(reach 14\) and 0 engagement events\nthe counters agree with them\n$/);
    const off = cli('--day', '2026-11-20', '--format', 'json');
    expect(off.status).toBe(5);
    expect(JSON.parse(off.stdout)).toContainEqual({ level: 'campaign', campaign: 'r', key: '', measure: 'sent', records: 0, counters: 1 });
  });
});
