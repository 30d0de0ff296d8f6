import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { planFor, tagAll } from '../support/plan.js';
import { waitFor as waitUntil } from '../support/wait.js';
import { systemClock } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { FleetWorker } from '../../src/worker/fleet-worker.js';
import { wechatyChannel } from '../../src/channels/wechaty/wechaty-channel.js';
import { countByStatus } from '../../src/outbox/outbox.js';
import { listGroups } from '../../src/store/groups-repo.js';
import { type GroupRecord } from '../../src/shared/groups.js';
import type { Store } from '../../src/store/connection.js';
import { configOfficers } from '../support/people.js';

const waitFor = <T>(fn: () => Promise<T> | T, timeout = 20_000) => waitUntil(fn, timeout, 50);

/** The puppet service goes away while a send is on its way: the post is in the group, its answer never reaches the bot. */
describe('a connection that drops under a send', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let worker: FleetWorker;
  let groups: GroupRecord[];
  const logs = captureLogger('info');
  const keyer = createMemberKeyer('c'.repeat(32));
  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['near', 'far'], { groups: 8, membersPerGroup: 8, secondBotShare: 1, seed: 21 });
    for (const b of h.config.bots) b.limits = { minGapMs: 150, jitterMs: 0, perMinute: 600, perHour: 10_000, perDay: 50_000 };
    worker = new FleetWorker({
      config: h.config, store, keyer, officers: configOfficers(h.config, keyer), log: logs.log, clock: systemClock, channel: wechatyChannel(h.puppetFactory, { reconnectDelayMs: () => 300, liveness: { dingAfterMs: 400, lostAfterMs: 2500 } }), content,
      library: [], tickMs: 200, pollMs: 50, botLeaseMs: 3000, schedule: false,
    });
    await worker.start();
    await waitFor(async () => expect((await listGroups(store)).length).toBe(8));
    groups = await tagAll(store);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should record that post as unknown (it may have gone out) and never send it again, through any bot', async () => {
    const e = h.sim.endpointOf('near');
    const send = e.puppet.messageSendText.bind(e.puppet);
    let n = 0;
    e.puppet.messageSendText = async (...args: Parameters<typeof send>) => {
      const id = await send(...args);
      // the third post is in its group; the connection drops before its answer leaves
      if (++n === 3) await e.dropConnection();
      return id;
    };
    await planFor(store, groups, 'midsend@1', { pick: () => 'near' });
    await waitFor(async () => {
      const c = await countByStatus(store, 'midsend@1');
      expect(c.planned + c.sending).toBe(0);
    });
    const perGroup = groups.map((g) => h.world.roomMessages(g.roomId).filter((m) => m.text.includes('midsend@1')).length);
    expect(perGroup.filter((x) => x > 1)).toEqual([]);
    // the rest went out through the other member bot
    expect(await countByStatus(store, 'midsend@1')).toMatchObject({ sent: 7, unknown: 1, failed: 0 });
    expect(perGroup.filter((x) => x === 1)).toHaveLength(8);
    expect(logs.text()).toContain('the connection to its puppet service dropped during the send');
    e.puppet.messageSendText = send;
    await e.restoreConnection();
  });
});
