import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { connect } from 'node:net';
import { startSimHarness, type SimHarness } from '../support/sim.js';
import { waitFor } from '../support/wait.js';
import { startSimConsole } from '../../src/sim/sim-console.js';

/** Can a TCP connection be opened to an endpoint (host:port)? */
const reachable = (endpoint: string): Promise<boolean> =>
  new Promise((resolve) => {
    const [host, port] = endpoint.split(':') as [string, string];
    const socket = connect({ host, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('zhimi sim\'s console: faults switched while the simulator runs', () => {
  let h: SimHarness;
  const input = new PassThrough();
  const output = new PassThrough();
  let said = '';
  let close: () => void;

  beforeAll(async () => {
    h = await startSimHarness(['alpha', 'beta'], { groups: 3, membersPerGroup: 5, seed: 5 });
    output.on('data', (c) => (said += String(c)));
    close = startSimConsole(h.sim, input, output);
  });
  afterAll(async () => {
    close?.();
    await h?.stop();
  });

  it('should take a bot\'s puppet service away and back, log its account out and in, and switch its faults', async () => {
    const alpha = h.sim.endpointOf('alpha');
    input.write('drop alpha\n');
    await waitFor(() => expect(said).toContain('alpha: puppet service gone'));
    expect(await reachable(alpha.endpoint)).toBe(false);
    input.write('restore alpha\n');
    await waitFor(() => expect(said).toContain(`alpha: puppet service back at ${alpha.endpoint}`));
    expect(await reachable(alpha.endpoint)).toBe(true);
    // a partition: the endpoint still takes connections, nothing passes; then it ends
    input.write('freeze alpha\nthaw alpha\n');
    await waitFor(() => expect(said).toContain('alpha: the network to its puppet service is back'));
    expect(said).toContain('alpha: its puppet service is cut off without a word');

    // (no bot connects here: the account is started as a bot's first call would)
    const beta = h.sim.endpointOf('beta').puppet;
    await beta.start();
    await waitFor(() => expect(beta.isLoggedIn).toBe(true));
    input.write('logout beta\n');
    await waitFor(() => expect(h.sim.endpointOf('beta').puppet.isLoggedIn).toBe(false));
    input.write('login beta\n');
    await waitFor(() => expect(h.sim.endpointOf('beta').puppet.isLoggedIn).toBe(true));

    input.write('fault alpha:slow=250\nfault alpha:throttle=6\n');
    await waitFor(() => expect(alpha.puppet.faults).toEqual({ sendDelayMs: 250, throttleAbovePerMinute: 6 }));
    input.write('clear alpha\n');
    await waitFor(() => expect(alpha.puppet.faults).toEqual({}));

    const before = [...h.world.rooms.keys()];
    input.write('reid\n');
    await waitFor(() => expect(said).toContain('3 rooms have new ids'));
    expect([...h.world.rooms.keys()].some((id) => before.includes(id))).toBe(false);
  });

  it('should let a developer speak as a group\'s officer to a bot, and print the bot\'s answer', async () => {
    const room = [...h.world.rooms.values()].find((r) => r.memberIds.includes(h.world.botContactId('alpha')))!;
    const alpha = h.world.botContactId('alpha');
    input.write(`officer ${room.topic} alpha 暂停\n`);
    await waitFor(() => expect(said).toContain(`王警官 in ${room.topic}: @alpha 暂停`));
    const said1 = h.world.roomMessages(room.id).at(-1)!;
    expect(said1).toMatchObject({ talkerId: 'officer-test-wang', mentionIds: [alpha] });
    expect(said1.text).toContain('暂停');
    // (no worker runs here: the bot's answer is posted as a worker's bot would post it)
    h.world.post({ talkerId: alpha, roomId: room.id, text: '@王警官 已暂停本群的反诈提醒', mentionIds: ['officer-test-wang'] });
    await waitFor(() => expect(said).toContain(`alpha answered in ${room.topic}: @王警官 已暂停本群的反诈提醒`));
    input.write(`officer ${room.id} alpha 帮助\nofficer 没有这个群 alpha 暂停\nofficer ${room.topic} alpha\n`);
    await waitFor(() => expect(said).toContain('officer takes <group> <bot> <text>'));
    expect(said).toContain(`王警官 in ${room.topic}: @alpha 帮助`);
    expect(said).toContain('no group "没有这个群": give a room id or a topic');
  });

  it('should answer a wrong line with what is allowed, and go on', async () => {
    input.write('drop gamma\nfault alpha:slow=fast\nhelp\n');
    await waitFor(() => expect(said).toContain('restore <bot>'));
    expect(said).toContain('no bot gamma in this simulator; bots: alpha, beta');
    expect(said).toContain('slow must be a whole number of milliseconds');
  });
});
