import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { Types } from 'mongoose';
import { openTestStore } from '../support/db.js';
import { connectStore, type Store } from '../../src/store/connection.js';
import { freePort } from '../../src/shared/free-port.js';
import { StoreError } from '../../src/store/errors.js';
import { appendEvents, capsVersion, claimNext, countByStatus, expireLeases, findSentDelivery, finishedRuns, insertPlanned, loadDeliveries, openDeliveries, readCapsHistory, reassignPlannedForGroup, sendTimesOfBots, sentSince, sentToGroupSince, skipPlanned } from '../../src/outbox/outbox.js';
import { findPlannedRecords } from '../../src/store/deliveries-repo.js';
import { deliveryIdFor } from '../../src/shared/delivery-id.js';
import { claimChanges, outcomeEvent } from '../../src/outbox/events.js';
import { type PlannedDelivery } from '../../src/shared/outbox-records.js';
import { closeRuns, recordPlan } from '../../src/store/runs-repo.js';
import { firstTime, forgetMessageKeys, messageOnceKey } from '../../src/store/once.js';
import { joinSample } from '../../src/shared/groups.js';
import { findGroupByRoomId, recentGroupPauses, refreshSeenGroup, registerSeenGroups, registryVersion, seenEntriesReader, setGroupPaused, tagGroup, targetingVersion, upsertSeenGroup } from '../../src/store/groups-repo.js';

describe('store against the real database', () => {
  let store: Store & { drop(): Promise<void> };
  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
  });
  afterAll(async () => store?.drop());

  it('should name an unreachable server without its password and say what to check', async () => {
    const port = await freePort();
    const err = await connectStore(`mongodb://zhimi:s3cret@127.0.0.1:${port}/zhimi`, { serverSelectionTimeoutMS: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('ZHIMI_E_DB_UNREACHABLE');
    expect((err as Error).message).toContain(`mongodb://zhimi:***@127.0.0.1:${port}/zhimi`);
    expect((err as Error).message).not.toContain('s3cret');
    expect((err as Error).message).toMatch(/check that the server runs/);
    expect((err as Error).message.split('\n')).toHaveLength(1);
  });

  it('should reject a malformed URI with what it must look like', async () => {
    const err = await connectStore('postgres://localhost/zhimi').catch((e: unknown) => e);
    expect((err as StoreError).code).toBe('ZHIMI_E_DB_URI');
    expect((err as Error).message).toMatch(/must look like mongodb:\/\//);
  });

  it('should keep an officer\'s tag that another process\'s update of the group races (FerretDB applies updates as read-modify-write)', async () => {
    const other = await connectStore(inject('mongoUri'), { dbName: store.connection.name });
    try {
      for (let round = 0; round < 10; round++) {
        const roomId = `race${round}@chatroom`;
        await upsertSeenGroup(store, { roomId, topic: `仓山区老年群${round}`, memberCount: 1, botId: 'x', sample: '' }, new Date());
        // the command line tags while a worker (another connection) writes member counts
        await Promise.all([
          tagGroup(store, roomId, { district: '仓山区', segments: ['elderly'], taggedBy: 'k' }),
          ...Array.from({ length: 5 }, (_, i) => other.models.Group.updateOne({ roomId }, { $set: { memberCount: 10 + i } })),
        ]);
        expect(await findGroupByRoomId(store, roomId)).toMatchObject({ district: '仓山区', segments: ['elderly'], status: 'active' });
      }
    } finally {
      await other.close();
    }
  });

  it('should forget the keys of messages acted on more than a day ago, in slices, and nothing else', async () => {
    const now = new Date('2026-11-25T10:00:00+08:00');
    const dayAgo = new Date(now.getTime() - 86_400_000 - 1000);
    for (let i = 0; i < 1001; i++) expect(await firstTime(store, messageOnceKey('alpha', `old-${i}`), 'w1', dayAgo)).toBe(true);
    expect(await firstTime(store, messageOnceKey('alpha', 'recent'), 'w1', new Date(now.getTime() - 3600_000))).toBe(true);
    expect(await firstTime(store, 'intro:room-1', 'w1', dayAgo)).toBe(true);
    expect(await forgetMessageKeys(store, now)).toBe(1001);
    expect(await forgetMessageKeys(store, now)).toBe(0);
    // what is left still answers "done already"
    expect(await firstTime(store, messageOnceKey('alpha', 'recent'), 'w2', now)).toBe(false);
    expect(await firstTime(store, 'intro:room-1', 'w2', now)).toBe(false);
    expect(await store.models.Claim.countDocuments({ _id: { $regex: '^once:msg:' } })).toBe(1);
  });

  it('should create the indexes at start', async () => {
    const groupIdx = (await store.models.Group.listIndexes()).find((i) => i.name === 'roomId_1');
    expect(groupIdx?.unique).toBe(true);
  });

  it('should change the registry version with every registry write, so an earlier read knows it is stale', async () => {
    const v0 = await registryVersion(store);
    await upsertSeenGroup(store, { roomId: 'v@chatroom', topic: '仓山区测试群', memberCount: 3, botId: 'a', sample: '' }, new Date());
    const v1 = await registryVersion(store);
    await tagGroup(store, 'v@chatroom', { district: '仓山区', segments: ['general'], taggedBy: 'test' });
    const v2 = await registryVersion(store);
    expect(new Set([v0, v1, v2]).size).toBe(3);
    expect(await registryVersion(store)).toBe(v2); // reading changes nothing
  });

  it('should follow people joining a known group with one write that leaves targeting\'s version alone, and write nothing when nothing changed', async () => {
    const look = { roomId: 'join@chatroom', topic: '仓山区加入测试群', memberCount: 5, botId: 'a', sample: joinSample(['k1', 'k2']) };
    expect(await refreshSeenGroup(store, look)).toBe(false); // a room the registry does not know: nothing registered
    expect(await findGroupByRoomId(store, look.roomId)).toBeUndefined();
    await upsertSeenGroup(store, look, new Date());
    const versions = async () => [await registryVersion(store), await targetingVersion(store)];
    const [r0, t0] = await versions();
    expect(await refreshSeenGroup(store, look)).toBe(true);
    expect(await versions()).toEqual([r0, t0]); // nothing changed: nothing written
    await refreshSeenGroup(store, { ...look, memberCount: 6, sample: joinSample(['k1', 'k2', 'k3']) });
    const [r1, t1] = await versions();
    expect(r1).not.toBe(r0);
    expect(t1).toBe(t0); // a run's prefetched registry stays current
    expect(await findGroupByRoomId(store, look.roomId)).toMatchObject({ memberCount: 6 });
    await refreshSeenGroup(store, { ...look, memberCount: 6, sample: joinSample(['k1', 'k2', 'k3']), topic: '仓山区加入测试群（新）' });
    const [r2, t2] = await versions();
    expect(r2).not.toBe(r1);
    expect(t2).not.toBe(t1);
  });

  it('should tell every worker of an officer\'s pause or resume of a group for a lease, then forget the news (the group keeps its status)', async () => {
    const t0 = new Date('2026-11-25T08:00:00Z');
    const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
    await upsertSeenGroup(store, { roomId: 'p1@chatroom', topic: '鼓楼区测试群一', memberCount: 3, botId: 'a', sample: '' }, t0);
    await upsertSeenGroup(store, { roomId: 'p2@chatroom', topic: '鼓楼区测试群二', memberCount: 3, botId: 'a', sample: '' }, t0);
    await tagGroup(store, 'p1@chatroom', { district: '鼓楼区', segments: ['general'], taggedBy: 'test' });
    const g1 = await setGroupPaused(store, 'p1@chatroom', true, t0);
    const g2 = await setGroupPaused(store, 'p2@chatroom', true, minutes(1));
    expect(g1?.status).toBe('paused');
    expect(await recentGroupPauses(store, minutes(-2))).toEqual(expect.arrayContaining([
      { groupId: g1!.id, paused: true, at: t0 }, { groupId: g2!.id, paused: true, at: minutes(1) },
    ]));
    // only the newest change of a group is news; resuming an untagged group leaves it pending
    expect((await setGroupPaused(store, 'p1@chatroom', false, minutes(2)))?.status).toBe('active');
    expect((await setGroupPaused(store, 'p2@chatroom', false, minutes(3)))?.status).toBe('pending');
    expect(await recentGroupPauses(store, minutes(1))).toEqual(expect.arrayContaining([
      { groupId: g1!.id, paused: false, at: minutes(2) }, { groupId: g2!.id, paused: false, at: minutes(3) },
    ]));
    // news older than the lease is gone for everyone
    expect(await recentGroupPauses(store, minutes(2.5))).toEqual([{ groupId: g2!.id, paused: false, at: minutes(3) }]);
    expect(await store.models.GroupPause.countDocuments()).toBe(1);
    expect((await findGroupByRoomId(store, 'p1@chatroom'))?.status).toBe('active');
  });

  it('should register a bot\'s rooms in one look: new ones inserted, changed ones written, unchanged ones left alone, renamed ones adopted', async () => {
    const now = new Date();
    const sample = (p: string) => Array.from({ length: 8 }, (_, i) => `${p}${i}`);
    const seen = (roomId: string, topic: string, memberCount: number, botId: string, keys = sample(roomId)) => ({ roomId, topic, memberCount, botId, sample: joinSample(keys) });
    const first = await registerSeenGroups(store, [seen('l1@chatroom', '鼓楼区一号群', 10, 'a'), seen('l2@chatroom', '鼓楼区二号群', 20, 'a')], now);
    expect([...first]).toEqual([['l1@chatroom', true], ['l2@chatroom', true]]);
    const v1 = await registryVersion(store);
    // the same look again: nothing written, the version stays
    const again = await registerSeenGroups(store, [seen('l1@chatroom', '鼓楼区一号群', 10, 'a'), seen('l2@chatroom', '鼓楼区二号群', 20, 'a')], now);
    expect([...again.values()]).toEqual([false, false]);
    expect(await registryVersion(store)).toBe(v1);
    // a changed member count, and l2 back under a new room id (same topic, same members) with a new room beside it
    const later = await registerSeenGroups(store, [seen('l1@chatroom', '鼓楼区一号群', 12, 'a'), seen('l2b@chatroom', '鼓楼区二号群', 20, 'a', sample('l2@chatroom')), seen('l3@chatroom', '鼓楼区三号群', 5, 'a')], now);
    expect([...later]).toEqual([['l1@chatroom', false], ['l2b@chatroom', false], ['l3@chatroom', true]]);
    expect(await registryVersion(store)).not.toBe(v1);
    expect((await findGroupByRoomId(store, 'l1@chatroom'))!.memberCount).toBe(12);
    const renamed = await store.models.Group.findOne({ roomId: 'l2b@chatroom' }).lean();
    expect(renamed!.previousRoomIds).toEqual(['l2@chatroom']);
    expect(await store.models.Group.countDocuments({ roomId: /^l\d/ })).toBe(3);
    // two bots that see one new room at once: one group, both bots in it
    const both = await Promise.all([registerSeenGroups(store, [seen('l4@chatroom', '鼓楼区四号群', 7, 'a')], now), registerSeenGroups(store, [seen('l4@chatroom', '鼓楼区四号群', 7, 'b')], now)]);
    expect(both.map((m) => m.get('l4@chatroom')).sort()).toEqual([false, true]);
    expect((await findGroupByRoomId(store, 'l4@chatroom'))!.botIds.sort()).toEqual(['a', 'b']);
    // looks of several bots registered together (bots logging in at once): a new room seen by two is one group with
    // both, a renamed one adopted once with both, a known one gets the bot that is new to it
    const together = await registerSeenGroups(store, [
      seen('l5@chatroom', '鼓楼区五号群', 9, 'a'), seen('l5@chatroom', '鼓楼区五号群', 9, 'b'),
      seen('l3b@chatroom', '鼓楼区三号群', 5, 'a', sample('l3@chatroom')), seen('l3b@chatroom', '鼓楼区三号群', 5, 'c', sample('l3@chatroom')),
      seen('l1@chatroom', '鼓楼区一号群', 12, 'c'),
    ], now);
    expect([...together]).toEqual([['l1@chatroom', false], ['l5@chatroom', true], ['l3b@chatroom', false]]);
    expect((await findGroupByRoomId(store, 'l5@chatroom'))!.botIds.sort()).toEqual(['a', 'b']);
    expect((await findGroupByRoomId(store, 'l3b@chatroom'))!.botIds.sort()).toEqual(['a', 'c']);
    expect((await findGroupByRoomId(store, 'l1@chatroom'))!.botIds.sort()).toEqual(['a', 'c']);
    expect(await store.models.Group.countDocuments({ roomId: /^l\d/ })).toBe(5);
  });

  it('should answer 150 reads at once of a collection bigger than a batch (FerretDB v1 stops answering with over 100 cursors open)', async () => {
    await store.models.Bot.collection.insertMany(Array.from({ length: 300 }, (_, i) => ({ botId: `many-${i}`, contactId: `wxid_many_${i}` })));
    const reads = await Promise.all(Array.from({ length: 150 }, () => store.models.Bot.find({ botId: /^many-/ }, { contactId: 1 }).lean()));
    expect(reads.map((r) => r.length)).toEqual(Array(150).fill(300));
    await store.models.Bot.deleteMany({ botId: /^many-/ });
  }, 30_000);

  it('should register more new rooms than one insert takes, every one of them, in inserts of its own', async () => {
    const inserts = vi.spyOn(store.models.Group.collection, 'insertMany');
    const many = Array.from({ length: 4500 }, (_, i) => ({ roomId: `bulk${i}@chatroom`, topic: `仓山区大群${i}`, memberCount: 5, botId: 'a', sample: `k${i}a k${i}b` }));
    const created = await registerSeenGroups(store, many, new Date());
    expect([...created.values()].filter(Boolean)).toHaveLength(4500);
    expect(inserts).toHaveBeenCalledTimes(3);
    inserts.mockRestore();
    expect(await store.models.Group.countDocuments({ roomId: /^bulk/ })).toBe(4500);
    expect((await findGroupByRoomId(store, 'bulk4499@chatroom'))?.memberCount).toBe(5);
  }, 60_000);

  it('should share one registry read among looks while nothing changes it, and let it go once no look used it for a while', async () => {
    const read = seenEntriesReader(store, 200);
    const first = await read();
    expect(first.length).toBeGreaterThan(0);
    // (each sample kept as one string, the keys registered)
    expect(first.find((g) => g.roomId === 'l1@chatroom')).toMatchObject({ topic: '鼓楼区一号群', memberCount: 12, sample: joinSample(Array.from({ length: 8 }, (_, i) => `l1@chatroom${i}`)) });
    expect(await read()).toBe(first); // one read for bots looking around together
    await new Promise((resolve) => setTimeout(resolve, 350));
    const later = await read();
    expect(later).not.toBe(first); // let go: read again
    expect(later.map((g) => g.roomId).sort()).toEqual(first.map((g) => g.roomId).sort());
    await store.models.Meta.updateOne({ _id: 'registry' }, { $set: { v: 'changed-elsewhere' } });
    expect(await read()).not.toBe(later); // another process wrote the registry
  });

  describe('outbox', () => {
    const now = new Date('2026-11-24T02:00:00Z');
    const plan = (n: number, runId = 'run-1'): PlannedDelivery[] =>
      Array.from({ length: n }, (_, i) => ({
        runId, campaignId: 'c', groupId: new Types.ObjectId().toHexString(), roomId: `r${i}@chatroom`, botId: 'a',
        postId: 'p', contentHash: 'h', text: 't', priority: i === n - 1 ? 1 : 0, notBefore: now,
      }));

    it('should plan each (run, group) once however often it is written', async () => {
      const items = plan(5);
      expect(await insertPlanned(store, items)).toHaveLength(5);
      expect(await insertPlanned(store, items)).toHaveLength(0);
      expect((await countByStatus(store, 'run-1')).planned).toBe(5);
      // the id comes from run and group: no second unique index is needed for this
      const ids = (await loadDeliveries(store, { runIds: ['run-1'] })).map((d) => d.id).sort();
      expect(ids).toEqual(items.map((d) => deliveryIdFor('run-1', d.groupId)).sort());
    });

    it('should change the caps version when deliveries are planned, fail or are skipped, not when they are claimed or sent, and read caps history without texts', async () => {
      const items = plan(3, 'run-caps');
      const v0 = await capsVersion(store);
      const written = await insertPlanned(store, items);
      const v1 = await capsVersion(store);
      expect(v1).not.toBe(v0);
      const ahead = await readCapsHistory(store, now);
      expect(ahead.entries(now, now).filter((e) => items.some((i) => i.groupId === e.groupId))).toHaveLength(3);
      const [first, second] = await appendEvents(store, claimChanges(written.slice(0, 2), { workerId: 'w', leaseMs: 60_000, now }));
      const third = written[2];
      await appendEvents(store, [{ state: first!, event: outcomeEvent(first!, { status: 'sent', reach: 3, sentAt: now, day: '2026-11-24' }, 'w', now) }]);
      expect(await capsVersion(store)).toBe(v1); // a claim or a send changes no count: a read ahead stays current
      await appendEvents(store, [{ state: second!, event: outcomeEvent(second!, { status: 'failed', reason: 'not in group' }, 'w', now) }]);
      const v2 = await capsVersion(store);
      expect(v2).not.toBe(v1);
      await skipPlanned(store, [third!], 'group paused', now);
      expect(await capsVersion(store)).not.toBe(v2);
      // the read ahead still counts the failed post; a fresh read does not — the version told the reader so
      const fresh = await readCapsHistory(store, now);
      expect(fresh.entries(now, now).filter((e) => items.some((i) => i.groupId === e.groupId)).map((e) => e.groupId)).toEqual([first!.groupId]);
      // texts stay in the database
      expect((await findPlannedRecords(store, { runIds: ['run-caps'], withoutText: true })).map((r) => r.text)).toEqual(['', '', '']);
    });

    it('should hand each delivery to one claimer only, urgent first', async () => {
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimNext(store, { botId: 'a', workerId: `w${i % 2}`, leaseMs: 60_000, now })));
      const got = claims.filter((c) => c !== undefined);
      expect(got).toHaveLength(5);
      expect(new Set(got.map((c) => c.id)).size).toBe(5);
      const states = await loadDeliveries(store, { runIds: ['run-1'] });
      expect(states.every((d) => d.status === 'sending' && d.attempts === 1)).toBe(true);
      // the urgent one was claimed in the first round of claims
      expect(got.findIndex((c) => c.priority === 1)).toBeLessThan(2);
      // the planned documents were never updated: the changes are events
      expect(await store.models.Delivery.countDocuments({ runId: 'run-1', status: 'planned' })).toBe(5);
      expect(await store.models.DeliveryEvent.countDocuments({ runId: 'run-1', kind: 'claim' })).toBe(5);
    });

    it('should turn expired claims into unknown, never back into planned', async () => {
      const [one, ...rest] = await loadDeliveries(store, { runIds: ['run-1'] });
      const [sent] = await appendEvents(store, [{ state: one!, event: outcomeEvent(one!, { status: 'sent', reach: 10, sentAt: now, day: '2026-11-24' }, one!.claimedBy!, now) }]);
      expect(sent?.status).toBe('sent');
      // the expiry (from a stale read that still shows `one` claimed) races with a late sent outcome of
      // another claim: the expiry lands on all four, the late outcome too, and `sent` wins (the post went out)
      const later = new Date(now.getTime() + 120_000);
      await Promise.all([
        expireLeases(store, [one!, ...rest], later),
        appendEvents(store, [{ state: rest[0]!, event: outcomeEvent(rest[0]!, { status: 'sent', reach: 3, sentAt: later, day: '2026-11-24' }, rest[0]!.claimedBy!, later) }]),
      ]);
      const counts = await countByStatus(store, 'run-1');
      expect(counts).toMatchObject({ planned: 0, sending: 0, sent: 2, unknown: 3 });
      const byId = new Map((await loadDeliveries(store, { runIds: ['run-1'] })).map((d) => [d.id, d]));
      expect(byId.get(one!.id)).toMatchObject({ status: 'sent', reach: 10 });
      expect(byId.get(rest[0]!.id)).toMatchObject({ status: 'sent', reach: 3 });
      expect(await claimNext(store, { botId: 'a', workerId: 'w9', leaseMs: 1000, now: new Date(now.getTime() + 200_000) })).toBeUndefined();
    });

    it('should close a planned run once every delivery is final, and sweep only open runs', async () => {
      const states = await openDeliveries(store);
      expect(states.filter((d) => d.runId === 'run-1')).toHaveLength(5);
      expect(await finishedRuns(store, states)).toEqual([]); // written outside the scheduler: never marked planned
      await recordPlan(store, 'run-1', 5, 0, now);
      expect(await finishedRuns(store, states)).toEqual(['run-1']);
      await closeRuns(store, ['run-1'], now);
      expect((await openDeliveries(store)).filter((d) => d.runId === 'run-1')).toHaveLength(0);
      expect((await countByStatus(store, 'run-1')).unknown + (await countByStatus(store, 'run-1')).sent).toBe(5);
    });

    it('should read deliveries written before the event log as final, never as planned', async () => {
      const legacy = (status: string, extra: Record<string, unknown> = {}) => ({
        _id: new Types.ObjectId(), runId: 'old-run', campaignId: 'c', groupId: new Types.ObjectId(), roomId: 'r@chatroom', botId: 'a', postId: 'p', contentHash: 'h', text: 't',
        priority: 0, status, notBefore: now, ...extra,
      });
      await store.models.Delivery.collection.insertMany([legacy('sent', { reach: 7, sentAt: now, day: '2026-11-24' }), legacy('sending'), legacy('unknown')]);
      const states = await loadDeliveries(store, { runIds: ['old-run'] });
      expect(states.map((d) => d.status).sort()).toEqual(['sent', 'unknown', 'unknown']);
      expect(states.find((d) => d.status === 'sent')?.reach).toBe(7);
    });

    it('should write deliveries claimed at planning as sending (no claim event), and let nobody else claim or move them', async () => {
      const claim = { workerId: 'w-plan', at: now, leaseUntil: new Date(now.getTime() + 60_000) };
      const items = plan(3, 'run-3').map((d) => ({ ...d, botId: 'p', priority: 0 as const, claim }));
      const written = await insertPlanned(store, items);
      expect(written.map((d) => [d.status, d.seq, d.attempts, d.claimedBy])).toEqual(Array(3).fill(['sending', 1, 1, 'w-plan']));
      expect(await store.models.DeliveryEvent.countDocuments({ runId: 'run-3' })).toBe(0);
      const [a, b, c] = await loadDeliveries(store, { runIds: ['run-3'] });
      expect([a, b, c].map((d) => d!.status)).toEqual(['sending', 'sending', 'sending']);
      expect(await claimNext(store, { botId: 'p', workerId: 'w9', leaseMs: 1000, now })).toBeUndefined();
      expect(await reassignPlannedForGroup(store, a!.groupId, 'p', 'b')).toEqual([]);
      // the claim counts against the bot's sliding windows until its outcome is known
      expect((await sendTimesOfBots(store, new Date(now.getTime() - 1000))).get('p')).toEqual([now.getTime(), now.getTime(), now.getTime()]);
      // one sent, one given back, one whose worker died
      await appendEvents(store, [{ state: a!, event: outcomeEvent(a!, { status: 'sent', reach: 5, sentAt: now, day: '2026-11-24' }, 'w-plan', now) }]);
      const later = new Date(now.getTime() + 120_000);
      await expireLeases(store, [b!], later);
      const states = new Map((await loadDeliveries(store, { runIds: ['run-3'] })).map((d) => [d.id, d]));
      expect(states.get(a!.id)).toMatchObject({ status: 'sent', reach: 5, seq: 2 });
      expect(states.get(b!.id)).toMatchObject({ status: 'unknown', seq: 2 });
      expect(states.get(c!.id)).toMatchObject({ status: 'sending', seq: 1 });
      // a click on the sent one finds it by id alone
      expect(await findSentDelivery(store, a!.id)).toMatchObject({ deliveryId: a!.id, groupId: a!.groupId, botId: 'p' });
    });

    it('should write sent outcomes as one document per bot and run, still found per group and counted per bot', async () => {
      const items = plan(4, 'run-4').map((d) => ({ ...d, botId: 's', priority: 0 as const }));
      await insertPlanned(store, items);
      const claimed = (await Promise.all(items.map(() => claimNext(store, { botId: 's', workerId: 'w1', leaseMs: 60_000, now })))).filter((d) => d !== undefined);
      expect(claimed).toHaveLength(4);
      const sentAt = new Date(now.getTime() + 1000);
      const done = await appendEvents(store, claimed.map((d, i) => ({ state: d!, event: outcomeEvent(d!, { status: 'sent', reach: i + 1, sentAt, day: '2026-11-24' }, 'w1', sentAt) })));
      expect(done.every((d) => d.status === 'sent')).toBe(true);
      expect(await store.models.DeliveryEvent.countDocuments({ runId: 'run-4', kind: 'sent-batch' })).toBe(1);
      expect(await store.models.DeliveryEvent.countDocuments({ runId: 'run-4', kind: 'sent' })).toBe(0);
      expect(await countByStatus(store, 'run-4')).toMatchObject({ sent: 4, sending: 0 });
      const g = claimed[2]!.groupId;
      expect(await sentToGroupSince(store, g, now)).toEqual([expect.objectContaining({ deliveryId: claimed[2]!.id, groupId: g, botId: 's', campaignId: 'c', sentAt })]);
      expect(await sentToGroupSince(store, new Types.ObjectId().toHexString(), now)).toEqual([]);
      expect((await sentSince(store, now)).get('s')).toBe(4);
      expect((await sendTimesOfBots(store, new Date(now.getTime() - 1000))).get('s')).toEqual(Array(4).fill(sentAt.getTime()));
    });

    it('should let only one of two concurrent changes of a planned delivery win', async () => {
      const items = plan(3, 'run-2');
      await insertPlanned(store, items);
      const moves = await Promise.all(items.map((d) => reassignPlannedForGroup(store, d.groupId, 'a', 'b')));
      const claims = await Promise.all([claimNext(store, { botId: 'a', workerId: 'w1', leaseMs: 60_000, now }), claimNext(store, { botId: 'b', workerId: 'w2', leaseMs: 60_000, now })]);
      const states = await loadDeliveries(store, { runIds: ['run-2'] });
      expect(moves.reduce((a, b) => a + b.length, 0)).toBe(3);
      expect(states.every((d) => d.botId === 'b' && d.seq >= 1)).toBe(true);
      expect(claims[0]).toBeUndefined();
      expect(claims[1]?.botId).toBe('b');
    });
  });
});
