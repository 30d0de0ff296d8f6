import type { Command } from 'commander';
import { ConfigError } from '../config/errors.js';
import type { AppContext } from '../app/context.js';
import { FAULT_KINDS, unknownFaultBots } from '../sim/fault-spec.js';
import type { SimFaults } from '../sim/sim-puppet.js';
import { join } from 'node:path';
import { paths } from '../config/paths.js';
import { out, untilSignal } from './context.js';
import { testBotsFor } from './sim-bots.js';
import { faultOption, intOption as int } from './options.js';

export function registerSimCommands(program: Command, ctx: () => AppContext): void {
  program
    .command('sim')
    .description('start the WeChat simulator: one gRPC puppet service per bot over a shared synthetic world; while it runs, its standard input switches faults and lets you speak as an officer in a group (type help)')
    .option('--groups <n>', 'groups', int, 36)
    .option('--members-per-group <n>', 'mean members per group', int, 80)
    .option('--bots <k>', 'bots (the first k of bots/, then extra sim-NN bots)', int, 3)
    .option('--seed <n>', 'world seed', int, 2026)
    .option('--reactions', 'residents react to campaign posts as in the demo (reply, mention, ask, acknowledge, open tracked links)')
    .option('--fault <bot:kind=value>', `a fault of one bot's account, repeatable; kinds: ${FAULT_KINDS}`, faultOption)
    .option('--record <file>', 'append every message the simulated WeChat receives to this file, one JSON line each (time, group, bot, text): what each group really got')
    .option('--bots-out <dir>', 'where the YAML of bots beyond those of bots/ is written, for the worker\'s --bots-dir', join(paths.state, 'sim-bots'))
    .action(async (o: { groups: number; membersPerGroup: number; bots: number; seed: number; reactions?: boolean; fault?: Map<string, SimFaults>; record?: string; botsOut: string }) => {
      const c = ctx();
      const faults = o.fault ?? new Map<string, SimFaults>();
      const fleet = testBotsFor(c.fleet(), o.bots);
      const unknown = unknownFaultBots(faults, fleet.bots.map((b) => b.id));
      if (unknown.length) throw new ConfigError([{ file: 'zhimi sim --fault', field: '', message: `no bot ${unknown.join(', ')} in this simulator; its bots: ${fleet.bots.map((b) => b.id).join(', ')}` }]);
      // the simulator (Wechaty's puppet service) loads only for this command, Wechaty's log routed through Zhimi's first
      await import('../channels/wechaty/wechaty-log-early.js');
      const [{ startFleetSimulator }, { startSimConsole }, { ScriptedMembers }, { DEMO_REACTIONS }, { recordMessages }, { writeSimBotsDir }] = await Promise.all([
        import('../sim/fleet-simulator.js'), import('../sim/sim-console.js'), import('../sim/member-behaviour.js'), import('../demo/demo-reactions.js'), import('../sim/record.js'), import('../sim/bots-dir.js'),
      ]);
      const s = await startFleetSimulator({ ref: c.content().ref, fleet, world: { groups: o.groups, membersPerGroup: o.membersPerGroup, seed: o.seed }, useConfiguredEndpoints: true });
      if (o.reactions) s.world.behaviour = new ScriptedMembers(DEMO_REACTIONS, { seed: o.seed });
      const stopRecording = o.record ? recordMessages(s.world, o.record) : undefined;
      out(`simulator: ${s.world.rooms.size} groups, ${s.world.contacts.count('member')} residents, ${s.sim.endpoints.length} bots`);
      for (const e of s.sim.endpoints) {
        const bot = s.fleet.bots.find((b) => b.id === e.botId)!;
        e.puppet.faults = faults.get(e.botId) ?? {};
        const shown = Object.entries(e.puppet.faults).map(([k, v]) => `${k}=${String(v)}`).join(', ');
        out(`bot ${e.botId}  endpoint ${e.endpoint}  token ${e.token}${shown ? `  faults: ${shown}` : ''}\n  export ${bot.puppet.tokenEnv}=${e.token}`);
      }
      // bots beyond those of bots/ have no YAML: a worker could not run them without one
      const written = writeSimBotsDir(fleet, o.botsOut);
      if (written.length) out(`bots/ has ${fleet.bots.length - written.length} of these ${fleet.bots.length} bots: all their YAML is in ${o.botsOut} (${written.join(', ')} written there); run the worker with it:\n  npx zhimi --bots-dir ${o.botsOut} fleet start`);
      if (o.record) out(`recording every message to ${o.record} (one JSON line each)`);
      out('Ctrl-C stops the simulator. Faults can be switched while it runs: type `help`.');
      const closeConsole = startSimConsole(s.sim, process.stdin, process.stdout);
      await untilSignal();
      closeConsole();
      await stopRecording?.();
      await s.stop();
    });

}
