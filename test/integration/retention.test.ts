import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { FakeClock } from '../support/clock.js';
import { captureLogger } from '../support/log.js';
import { content, testFleetConfig } from '../support/sim.js';
import { configOfficers } from '../support/people.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { FleetWorker } from '../../src/worker/fleet-worker.js';
import type { Store } from '../../src/store/connection.js';

describe('retention of raw records', () => {
  let store: Store & { drop(): Promise<void> };
  const clock = new FakeClock('2026-11-25T10:00:00+08:00');
  const daysAgo = (n: number) => new Date(clock.now().getTime() - n * 86_400_000);
  const keyer = createMemberKeyer('n'.repeat(32));

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    const tip = (id: string, at: Date) => ({ _id: id, at, day: '2026-01-01', channel: 'group', text: '***', chars: 3, type: 'other', risk: 'low', score: 0, signals: [] });
    await store.models.Tip.insertMany([tip('old-tip', daysAgo(181)), tip('kept-tip', daysAgo(179))]);
    const eng = (id: string, at: Date) => ({ _id: id, kind: 'reply', at, day: '2026-01-01', deliveryId: 'd', campaignId: 'c', postId: 'p', groupId: 'g', segment: 'general', district: '鼓楼区', memberKey: 'k' });
    // more than one slice of old engagement events
    await store.models.Engagement.insertMany([...Array.from({ length: 620 }, (_, i) => eng(`old-${i}`, daysAgo(200))), eng('kept', daysAgo(10))]);
    await store.models.Counters.area.insertMany([{ _id: 'area|2026-01-01|c|general|鼓楼区|w', day: '2026-01-01', campaignId: 'c', writer: 'w', segment: 'general', district: '鼓楼区', sent: 1, reply: 620 }]);
  });
  afterAll(async () => store?.drop());

  it('should delete tips and engagement events past 180 days (no TTL index on FerretDB), and keep counters and what is younger', async () => {
    const logs = captureLogger('info');
    const worker = new FleetWorker({
      config: testFleetConfig([]), store, keyer, officers: configOfficers(testFleetConfig([]), keyer), log: logs.log, clock, content, library: [], schedule: false,
      channel: async () => { throw new Error('no bots here'); },
    });
    expect(await worker.tidy()).toEqual({ tips: 1, engagements: 620 });
    expect((await store.models.Tip.find({}).lean()).map((t) => t._id)).toEqual(['kept-tip']);
    expect((await store.models.Engagement.find({}).lean()).map((e) => e._id)).toEqual(['kept']);
    expect(await store.models.Counters.area.countDocuments()).toBe(1);
    expect(logs.text()).toMatch(/deleted tips and engagement events past their retention/);
    await worker.close();
  });
});
