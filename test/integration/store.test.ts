import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { openTestStore } from '../support/db.js';
import { connectStore, type Store } from '../../src/store/connection.js';
import { freePort } from '../../src/store/dev-db.js';
import { StoreError } from '../../src/store/errors.js';
import { appendEvents, claimNext, countByStatus, expireLeases, finishedRuns, insertPlanned, loadDeliveries, openDeliveries, outcomeEvent, reassignPlannedForGroup, type PlannedDelivery } from '../../src/store/deliveries-repo.js';
import { closeRuns, recordPlan } from '../../src/store/runs-repo.js';
import { registryVersion, tagGroup, upsertSeenGroup } from '../../src/store/groups-repo.js';

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

  it('should create the indexes at start', async () => {
    const names = (await store.models.Delivery.listIndexes()).map((i) => i.name);
    expect(names).toContain('runId_1_groupId_1');
    const groupIdx = (await store.models.Group.listIndexes()).find((i) => i.name === 'roomId_1');
    expect(groupIdx?.unique).toBe(true);
  });

  it('should change the registry version with every registry write, so an earlier read knows it is stale', async () => {
    const v0 = await registryVersion(store);
    await upsertSeenGroup(store, { roomId: 'v@chatroom', topic: '仓山区测试群', memberCount: 3, botId: 'a', memberSample: [] }, new Date());
    const v1 = await registryVersion(store);
    await tagGroup(store, 'v@chatroom', { district: '仓山区', segments: ['general'], taggedBy: 'test' });
    const v2 = await registryVersion(store);
    expect(new Set([v0, v1, v2]).size).toBe(3);
    expect(await registryVersion(store)).toBe(v2); // reading changes nothing
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
      // the expiry races with a late outcome of the same claim: one of them wins, never both
      const later = new Date(now.getTime() + 120_000);
      const [expired, late] = await Promise.all([
        expireLeases(store, [one!, ...rest], later),
        appendEvents(store, [{ state: rest[0]!, event: outcomeEvent(rest[0]!, { status: 'sent', reach: 3, sentAt: later, day: '2026-11-24' }, rest[0]!.claimedBy!, later) }]),
      ]);
      expect(expired.length + late.length).toBe(4);
      const counts = await countByStatus(store, 'run-1');
      expect(counts).toMatchObject({ planned: 0, sending: 0, sent: 1 + late.length, unknown: expired.length });
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

    it('should let only one of two concurrent changes of a planned delivery win', async () => {
      const items = plan(3, 'run-2');
      await insertPlanned(store, items);
      const moves = await Promise.all(items.map((d) => reassignPlannedForGroup(store, d.groupId, 'a', 'b')));
      const claims = await Promise.all([claimNext(store, { botId: 'a', workerId: 'w1', leaseMs: 60_000, now }), claimNext(store, { botId: 'b', workerId: 'w2', leaseMs: 60_000, now })]);
      const states = await loadDeliveries(store, { runIds: ['run-2'] });
      expect(moves.reduce((a, b) => a + b, 0)).toBe(3);
      expect(states.every((d) => d.botId === 'b' && d.seq >= 1)).toBe(true);
      expect(claims[0]).toBeUndefined();
      expect(claims[1]?.botId).toBe('b');
    });
  });
});
