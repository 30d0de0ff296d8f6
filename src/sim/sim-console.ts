import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { SIM_CONSOLE_HELP, parseSimCommand } from './console-command.js';
import type { Simulator } from './simulator.js';

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

  return () => rl.close();
}
