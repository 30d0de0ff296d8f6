import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { FakeClock } from '../support/clock.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { FleetWorker } from '../../src/worker/fleet-worker.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { listBotStates } from '../../src/store/bots-repo.js';
import type { PuppetFactory } from '../../src/channels/wechaty/puppet-factory.js';
import type { Store } from '../../src/store/connection.js';
import { createScamDesk } from '../../src/scamcheck/desk.js';
import { paths } from '../../src/config/paths.js';
import { waitFor } from '../support/wait.js';
import { wechatyChannel } from '../../src/channels/wechaty/wechaty-channel.js';
import { configOfficers } from '../support/people.js';

// Each test has bots of its own, so that what one test leaves of a bot's login cannot help or hinder the other.
describe('stopping a fleet while bots are still logging in, over the gRPC simulator', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  const logs = captureLogger();

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['late', 'taken1', 'taken2', 'asked'], { groups: 6, membersPerGroup: 10, seed: 9 });
  });
  afterAll(async () => {
    await h?.stop();
    await store?.drop();
  });

  it('should stop a bot that is still logging in when the fleet closes, at once and for good', async () => {
    // closed while the bot's puppet connects and logs in (a takeover racing a shutdown)
    let closing: Promise<void> | undefined;
    const factory: PuppetFactory = async (bot) => {
      const puppet = await h.puppetFactory(bot);
      setImmediate(() => (closing = late.close()));
      return puppet;
    };
    const late = new Fleet({ config: h.config, store, keyer: createMemberKeyer('k'.repeat(32)), officers: configOfficers(h.config, createMemberKeyer('k'.repeat(32))), log: logs.log, clock: new FakeClock(), channel: wechatyChannel(factory, { loginTimeoutMs: 8000 }), content, botIds: ['late'] });
    const t0 = performance.now();
    await expect(late.startBot('late')).rejects.toThrow(/fleet is stopping|stopped before it logged in/);
    await closing;
    // not after the 8 s login timeout: the wait for login ends with the stop
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(late.runner('late')).toBeUndefined();
    await expect(late.startBot('late')).rejects.toThrow(/fleet is stopping/);
    expect(logs.text()).toContain('bot stopped while it was starting');
  });

  it('should stop, on close, the bots a worker is still taking over, and give their leases back', async () => {
    const clock = new FakeClock();
    const config = { ...h.config, bots: h.config.bots.filter((b) => b.id.startsWith('taken')) };
    const worker = new FleetWorker({
      config: config, store, keyer: createMemberKeyer('k'.repeat(32)), officers: configOfficers(config, createMemberKeyer('k'.repeat(32))), log: logs.log, clock, channel: h.channel, content,
      library: [], schedule: false, botLeaseMs: 60_000, workerId: 'closing-early',
    });
    // start() takes the bots' leases; their logins run in the background, so close() meets them mid-start
    await worker.start();
    await worker.close();
    // a login that was under way does not bring a bot back afterwards (the time a login takes here)
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await store.models.Lease.countDocuments({ workerId: 'closing-early' })).toBeGreaterThan(0);
    expect(await store.models.Lease.countDocuments({ workerId: 'closing-early', until: { $gt: clock.now() } })).toBe(0);
    const states = await listBotStates(store);
    for (const id of ['taken1', 'taken2']) expect(states.find((s) => s.botId === id)?.status).not.toBe('online');
    expect(worker.fleet.runner('taken1')).toBeUndefined();
  });

  it('should end quietly an answer still waiting for its bot\'s turn when the worker stops the bot', async () => {
    const config = { ...h.config, bots: h.config.bots.filter((b) => b.id === 'asked') };
    const keyer = createMemberKeyer('k'.repeat(32));
    const worker = new FleetWorker({
      config: config, store, keyer, officers: configOfficers(config, keyer), log: logs.log, clock: new FakeClock(), channel: h.channel, content,
      library: [], schedule: false, workerId: 'stopping-mid-answer',
      inbound: createScamDesk({ contentDir: paths.content, fleet: config, messages: content.messages, hotline: content.ref.hotline, store, keyer, clock: new FakeClock(), log: logs.log }),
    });
    await worker.start();
    await waitFor(() => expect(worker.fleet.runner('asked')?.isOnline).toBe(true), 10_000, 50);
    // the bot is busy sending something slow; a resident asks meanwhile: the answer waits for the bot's turn
    const busy = worker.fleet.runner('asked')!.speak(() => new Promise((resolve) => setTimeout(resolve, 1500)));
    const member = [...h.world.contacts.values()].find((c) => c.kind === 'member')!;
    h.world.post({ talkerId: member.id, listenerId: h.world.botContactId('asked'), text: '刷单返利是真的吗？', mentionIds: [] });
    await waitFor(() => expect(logs.text()).toContain('scam check answered'), 10_000, 20);
    await worker.close();
    await busy;
    // its send met a puppet already gone: expected at a stop, so not logged as a failure
    await waitFor(() => expect(logs.text()).toContain('handler ended by the bot stopping'), 5000, 50);
    expect(logs.text()).not.toContain('handler failed');
  });
});
