import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { openTestStore } from '../support/db.js';
import { connectStore, type Store } from '../../src/store/connection.js';
import { freePort } from '../../src/store/dev-db.js';
import { StoreError } from '../../src/store/errors.js';
import { claimNext, countByStatus, expireLeases, insertPlanned, markSent, type PlannedDelivery } from '../../src/store/deliveries-repo.js';

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

  describe('outbox', () => {
    const now = new Date('2026-11-24T02:00:00Z');
    const plan = (n: number, runId = 'run-1'): PlannedDelivery[] =>
      Array.from({ length: n }, (_, i) => ({
        runId, campaignId: 'c', groupId: new Types.ObjectId().toHexString(), roomId: `r${i}@chatroom`, botId: 'a',
        postId: 'p', contentHash: 'h', text: 't', priority: i === n - 1 ? 1 : 0, notBefore: now,
      }));

    it('should plan each (run, group) once however often it is written', async () => {
      const items = plan(5);
      expect(await insertPlanned(store, items)).toBe(5);
      expect(await insertPlanned(store, items)).toBe(0);
      expect((await countByStatus(store, 'run-1')).planned).toBe(5);
    });

    it('should hand each delivery to one claimer only, urgent first', async () => {
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimNext(store, { botId: 'a', workerId: `w${i % 2}`, leaseMs: 60_000, now })));
      const got = claims.filter((c) => c !== undefined);
      expect(got).toHaveLength(5);
      expect(new Set(got.map((c) => c.id)).size).toBe(5);
      const first = await store.models.Delivery.findOne({ runId: 'run-1', priority: 1 }).lean();
      expect(first?.status).toBe('sending');
    });

    it('should turn expired claims into unknown, never back into planned', async () => {
      const [one] = await store.models.Delivery.find({ runId: 'run-1' }).limit(1).lean();
      expect(await markSent(store, String(one!._id), one!.claimedBy!, { reach: 10, sentAt: now, day: '2026-11-24' })).toBe(true);
      expect(await expireLeases(store, new Date(now.getTime() + 120_000))).toBe(4);
      const counts = await countByStatus(store, 'run-1');
      expect(counts).toMatchObject({ planned: 0, sending: 0, sent: 1, unknown: 4 });
      expect(await claimNext(store, { botId: 'a', workerId: 'w9', leaseMs: 1000, now: new Date(now.getTime() + 200_000) })).toBeUndefined();
    });
  });
});
