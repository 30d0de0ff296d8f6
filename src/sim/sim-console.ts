import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { SIM_CONSOLE_HELP, parseSimCommand } from './console-command.js';
import type { Simulator } from './simulator.js';
import type { SimMessage } from './world-model.js';
import type { SimWorld } from './world.js';

/**
 * `zhimi sim`'s console: faults switched while it runs, one command a line on
 * `input` (see SIM_CONSOLE_HELP), each answered on `out`. An input that ends
 * (a simulator started in the background) just leaves the console. Returns
 * a function that closes it.
 */
export function startSimConsole(sim: Simulator, input: Readable, out: Writable): () => void {
  const rl = createInterface({ input, terminal: false });
  const botIds = sim.endpoints.map((e) => e.botId);
  // one command at a time, in the order typed
  let last: Promise<void> = Promise.resolve();
  rl.on('line', (line) => {
    last = last.then(() => run(line)).catch((err: unknown) => void out.write(`error: ${(err as Error).message}\n`));
  });

  async function run(line: string): Promise<void> {
    const c = parseSimCommand(line, botIds, new Map(sim.endpoints.map((e) => [e.botId, e.puppet.faults])));
    if ('error' in c) {
      out.write(`${c.error}\n`);
      return;
    }
    if (c.kind === 'none') return;
    if (c.kind === 'help') {
      out.write(`${SIM_CONSOLE_HELP}\n`);
      return;
    }
    if (c.kind === 'reid') {
      const moved = sim.world.reidentifyRooms();
      out.write(`${moved.size} rooms have new ids (bots find out at their next look or send)\n`);
      return;
    }
    if (c.kind === 'officer') {
      officerSays(c.group, c.botId, c.text);
      return;
    }
    if (c.kind === 'received') {
      out.write(`${received(sim.world, c.group)}\n`);
      return;
    }
    const e = sim.endpointOf(c.botId);
    switch (c.kind) {
      case 'drop':
        await e.dropConnection();
        out.write(`${c.botId}: puppet service gone (the account stays logged in there)\n`);
        return;
      case 'restore':
        await e.restoreConnection();
        out.write(`${c.botId}: puppet service back at ${e.endpoint}\n`);
        return;
      case 'freeze':
        e.silence();
        out.write(`${c.botId}: its puppet service is cut off without a word (no answers, no events, nothing closed)\n`);
        return;
      case 'thaw':
        e.heal();
        out.write(`${c.botId}: the network to its puppet service is back\n`);
        return;
      case 'logout':
        await e.puppet.simulateLogout();
        out.write(`${c.botId}: logged out; the QR code to log it in again is shown to its bot (\`login ${c.botId}\` scans it)\n`);
        return;
      case 'login':
        e.puppet.simulateLogin();
        out.write(`${c.botId}: logged in\n`);
        return;
      case 'clear':
        e.puppet.faults = {};
        out.write(`${c.botId}: no faults\n`);
        return;
      case 'fault':
        e.puppet.faults = c.faults;
        out.write(`${c.botId}: faults ${Object.entries(c.faults).map(([k, v]) => `${k}=${String(v)}`).join(', ')}\n`);
        return;
    }
  }

  /** The group's officer mentions the bot; the bot's next message in the group (its answer) is printed when it comes. */
  function officerSays(group: string, botId: string, text: string): void {
    const world = sim.world;
    const rooms = [...world.rooms.values()];
    const room = rooms.find((r) => r.id === group || r.topic === group);
    if (!room) {
      out.write(`no group "${group}": give a room id or a topic, e.g. ${rooms[0]?.topic ?? '…'}\n`);
      return;
    }
    const officerId = room.memberIds.find((id) => world.contacts.get(id)?.kind === 'officer');
    if (!officerId) {
      out.write(`no officer in ${room.topic} (officers are those of bots/fleet.yaml who serve its district)\n`);
      return;
    }
    const botContact = world.botContactId(botId);
    if (!room.memberIds.includes(botContact)) {
      out.write(`${botId} is not in ${room.topic}\n`);
      return;
    }
    const answered = (m: SimMessage): void => {
      if (m.roomId !== room.id || m.talkerId !== botContact) return;
      clearTimeout(timer);
      world.off('message', answered);
      out.write(`${botId} answered in ${room.topic}: ${m.text}\n`);
    };
    const timer = setTimeout(() => world.off('message', answered), ANSWER_WAIT_MS);
    timer.unref();
    world.on('message', answered);
    world.mention(room.id, officerId, botId, text);
    out.write(`${world.contacts.get(officerId)?.name ?? 'an officer'} in ${room.topic}: @${botId} ${text}\n`);
  }

  return () => rl.close();
}

/**
 * What the fleet's bots posted, as the simulated WeChat received it: per
 * group (how many messages from which bots), or, for one group (room id or
 * topic), every bot message with its receive time.
 */
export function received(world: SimWorld, group?: string): string {
  const botOf = new Map(world.bots.map((b) => [b.contactId, b.botId]));
  const rooms = [...world.rooms.values()];
  if (group) {
    const room = rooms.find((r) => r.id === group || r.topic === group);
    if (!room) return `no group "${group}": give a room id or a topic, e.g. ${rooms[0]?.topic ?? '…'}`;
    const lines = world.roomMessages(room.id).filter((m) => botOf.has(m.talkerId)).map((m) => `  ${new Date(m.timestamp).toISOString()}  ${botOf.get(m.talkerId)}  ${m.text.replace(/\s+/g, ' ').slice(0, 60)}`);
    return `${room.topic} (${room.id}): ${lines.length} message(s) from the fleet${lines.length ? '\n' + lines.join('\n') : ''}`;
  }
  const perRoom = new Map<string, Map<string, number>>();
  for (const m of world.messages.values()) {
    const bot = botOf.get(m.talkerId);
    if (!bot || !m.roomId) continue;
    const byBot = perRoom.get(m.roomId) ?? perRoom.set(m.roomId, new Map()).get(m.roomId)!;
    byBot.set(bot, (byBot.get(bot) ?? 0) + 1);
  }
  const lines = rooms.map((r) => {
    const byBot = perRoom.get(r.id);
    const n = byBot ? [...byBot.values()].reduce((a, b) => a + b, 0) : 0;
    return `  ${r.topic}: ${n}${byBot ? ` (${[...byBot].map(([b, k]) => `${b} ${k}`).join(', ')})` : ''}`;
  });
  return `messages from the fleet per group (${perRoom.size} of ${rooms.length} groups got any):\n${lines.join('\n')}`;
}

/** How long the console waits to print a bot's answer to an officer. */
const ANSWER_WAIT_MS = 30_000;
