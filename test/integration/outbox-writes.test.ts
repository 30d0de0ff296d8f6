import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Types } from 'mongoose';
import { openTestStore } from '../support/db.js';
import { openSideConnection, type Store } from '../../src/store/connection.js';
import { capsVersion, insertPlanned, loadDeliveries } from '../../src/outbox/outbox.js';
import { claimChanges, outcomeEvent } from '../../src/outbox/events.js';
import { EventWriter } from '../../src/delivery/event-writer.js';

/**
 * A worker's claims and outcomes go through a connection of their own (see
 * FleetWorker.outboxWrites): on FerretDB a connection runs its operations one
 * after another, and a claim waited behind every other write of the process.
 */
describe('the outbox writes of a worker\'s lanes', () => {
  let store: Store & { drop(): Promise<void> };
  let own: Store;
  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    own = await openSideConnection(store);
  });
  afterAll(async () => {
    await own?.close();
    await store?.drop();
  });

  it('should insert claims and outcomes through their own connection, and change the caps version through the store\'s', async () => {
    const now = new Date();
    const [planned] = await insertPlanned(store, [{ runId: 'writes@1', campaignId: 'c', groupId: new Types.ObjectId().toHexString(), roomId: 'r@chatroom', botId: 'a', postId: 'p', contentHash: 'h', text: 't', priority: 0, notBefore: now }]);
    const viaStore = vi.spyOn(store.models.DeliveryEvent.collection, 'insertMany');
    const viaOwn = vi.spyOn(own.models.DeliveryEvent.collection, 'insertMany');
    const versionViaOwn = vi.spyOn(own.models.Meta, 'updateOne');
    const writer = new EventWriter(store, { through: () => own });

    const [claimed] = await writer.write(claimChanges([planned!], { workerId: 'w', leaseMs: 60_000, now }));
    expect(claimed).toMatchObject({ status: 'sending', claimedBy: 'w' });
    const version = await capsVersion(store);
    // a skipped post changes what caps count: the version changes, through the store (its one writer in the process)
    writer.add(claimed!, outcomeEvent(claimed!, { status: 'skipped', reason: 'campaign cancelled' }, 'w', now));
    await writer.flush();

    expect(viaOwn).toHaveBeenCalledTimes(2);
    expect(viaStore).not.toHaveBeenCalled();
    expect(versionViaOwn).not.toHaveBeenCalled();
    expect(await capsVersion(store)).not.toBe(version);
    expect((await loadDeliveries(store, { runIds: ['writes@1'] })).map((d) => d.status)).toEqual(['skipped']);
  });
});
