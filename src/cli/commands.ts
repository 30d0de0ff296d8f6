import type { Command } from 'commander';
import { join } from 'node:path';
import { paths } from '../config/paths.js';
import { ConfigError } from '../config/errors.js';
import type { AppContext } from '../app/context.js';
import { actorNamed } from '../app/actor.js';
import { fleetStatus } from '../app/fleet-status.js';
import { listGroups, tagGroup, tagPendingAsSuggested } from '../app/groups.js';
import { startDevDb, stopDevDb } from '../app/dev-database.js';
import { runWorker } from '../worker/run-worker.js';
import { serveLinks } from '../api/serve-links.js';
import { startFleetSimulator } from '../sim/fleet-simulator.js';
import { startSimConsole } from '../sim/sim-console.js';
import { ScriptedMembers } from '../sim/member-behaviour.js';
import { FAULT_KINDS, unknownFaultBots } from '../sim/fault-spec.js';
import type { SimFaults } from '../sim/sim-puppet.js';
import { DEMO_REACTIONS, runDemo } from '../demo/run-demo.js';
import { formatRows, type OutputFormat } from '../reports/format.js';
import type { GroupRecord } from '../shared/groups.js';
import { contextOf, out, untilSignal, withContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { testBotsFor } from './sim-bots.js';
import { faultOption, formatOption as format, intOption as int, wordsOption as list } from './options.js';
import { registerScamCheckCommands } from './scamcheck-commands.js';
import { registerReportCommands } from './report-commands.js';
import { registerCampaignCommands, registerContentCommands } from './campaign-commands.js';

export function registerCommands(program: Command): void {
  const ctx = (logLevel?: string): AppContext => contextOf(program, logLevel);

  registerContentCommands(program, ctx);
  registerCampaignCommands(program, ctx);
  registerScamCheckCommands(program, ctx);
  registerReportCommands(program, ctx);

  program
    .command('demo')
    .description('run the demo: development database, simulated WeChat, the shipped bots, one post to every group')
    .option('--groups <n>', 'groups in the simulated world', int, 36)
    .option('--members-per-group <n>', 'mean members per group', int, 80)
    .action(async (o: { groups: number; membersPerGroup: number }) => {
      // the demo prints its own progress; logs only for warnings unless asked
      const c = ctx(process.env['ZHIMI_LOG_LEVEL'] ?? 'warn');
      const res = await runDemo({ env: c.env, fleet: c.fleet(), content: c.content(), library: c.library(), contentDir: c.contentDir, campaignDir: join(c.contentDir, 'campaigns'), stateDir: paths.state, log: c.log, groups: o.groups, membersPerGroup: o.membersPerGroup });
      if (res.sent < res.planned) process.exitCode = EXIT.wechat;
    });

  program
    .command('sim')
    .description('start the WeChat simulator: one gRPC puppet service per bot over a shared synthetic world; while it runs, its standard input switches faults and lets you speak as an officer in a group (type help)')
    .option('--groups <n>', 'groups', int, 36)
    .option('--members-per-group <n>', 'mean members per group', int, 80)
    .option('--bots <k>', 'bots (the first k of bots/, then extra sim-NN bots)', int, 3)
    .option('--seed <n>', 'world seed', int, 2026)
    .option('--reactions', 'residents react to campaign posts as in the demo (reply, mention, ask, acknowledge, open tracked links)')
    .option('--fault <bot:kind=value>', `a fault of one bot's account, repeatable; kinds: ${FAULT_KINDS}`, faultOption)
    .action(async (o: { groups: number; membersPerGroup: number; bots: number; seed: number; reactions?: boolean; fault?: Map<string, SimFaults> }) => {
      const c = ctx();
      const faults = o.fault ?? new Map<string, SimFaults>();
      const fleet = testBotsFor(c.fleet(), o.bots);
      const unknown = unknownFaultBots(faults, fleet.bots.map((b) => b.id));
      if (unknown.length) throw new ConfigError([{ file: 'zhimi sim --fault', field: '', message: `no bot ${unknown.join(', ')} in this simulator; its bots: ${fleet.bots.map((b) => b.id).join(', ')}` }]);
      const s = await startFleetSimulator({ ref: c.content().ref, fleet, world: { groups: o.groups, membersPerGroup: o.membersPerGroup, seed: o.seed }, useConfiguredEndpoints: true });
      if (o.reactions) s.world.behaviour = new ScriptedMembers(DEMO_REACTIONS, { seed: o.seed });
      out(`simulator: ${s.world.rooms.size} groups, ${[...s.world.contacts.values()].filter((x) => x.kind === 'member').length} residents, ${s.sim.endpoints.length} bots`);
      for (const e of s.sim.endpoints) {
        const bot = s.fleet.bots.find((b) => b.id === e.botId)!;
        e.puppet.faults = faults.get(e.botId) ?? {};
        const shown = Object.entries(e.puppet.faults).map(([k, v]) => `${k}=${String(v)}`).join(', ');
        out(`bot ${e.botId}  endpoint ${e.endpoint}  token ${e.token}${shown ? `  faults: ${shown}` : ''}\n  export ${bot.puppet.tokenEnv}=${e.token}`);
      }
      out('Ctrl-C stops the simulator. Faults can be switched while it runs: type `help`.');
      const closeConsole = startSimConsole(s.sim, process.stdin, process.stdout);
      await untilSignal();
      closeConsole();
      await s.stop();
    });

  program
    .command('serve')
    .description('the HTTP server for tracked links (/r/<code>): records clicks, redirects to the allow-listed post link; workers write links to ZHIMI_PUBLIC_URL')
    .option('--port <n>', 'port', int, 8787)
    .option('--host <h>', 'address to listen on', '127.0.0.1')
    .action((o: { port: number; host: string }) =>
      withContext(ctx(), async (c) => {
        const server = await serveLinks(c, o);
        c.log.info({ url: server.url }, 'link server running; set ZHIMI_PUBLIC_URL to its public address for the workers; Ctrl-C stops it');
        await untilSignal();
        await server.stop();
      }),
    );

  const db = program.command('db').description('the development database (FerretDB), used when MONGODB_URI is unset');
  db.command('start')
    .description('build FerretDB if needed and start it in the background')
    .action(async () => {
      const d = await startDevDb(ctx());
      out(`${d.started ? 'started' : 'already running'}: ${d.uri} (pid ${d.pid})`);
    });
  db.command('stop')
    .description('stop the background development database')
    .action(async () => out((await stopDevDb()) ? 'stopped' : 'not running'));

  const fleetCmd = program.command('fleet').description('run the bots');
  fleetCmd
    .command('start')
    .description('run a fleet worker: bots (by lease), campaign scheduler, delivery; several may run against one database')
    .action(() =>
      withContext(ctx(), async (c) => {
        const worker = await runWorker(c);
        c.log.info({ workerId: worker.workerId }, 'fleet worker running; Ctrl-C stops it');
        await untilSignal();
        c.log.info('stopping: cron, lanes, bots, leases');
        await worker.stop();
      }),
    );

  fleetCmd
    .command('status')
    .description('bots (online, starting, stopped, offline, failed) and the worker running each, groups per bot, queue depth, sent in the last hour, back-off; the workers running')
    .option('--format <f>', 'table | csv | json', format, 'table')
    .action((o: { format: OutputFormat }) =>
      withContext(ctx(), async (c) => {
        const s = await fleetStatus(c);
        out(formatRows(s.bots.map((b) => ({ ...b })), o.format));
        if (o.format === 'table') {
          out(`\nworkers running: ${s.workers.length ? s.workers.map((w) => `${w.workerId} (${w.bots} bot${w.bots === 1 ? '' : 's'})`).join(', ') : 'none'}`);
        }
      }),
    );

  const groups = program.command('groups').description('the group registry');
  groups
    .command('tag [group]')
    .description('tag a group (room id, topic or id) with district, police station and segments; a pending group becomes active')
    .option('--district <name>', 'county-level district, e.g. 仓山区')
    .option('--station <name>', 'police station of that district, e.g. 金山派出所')
    .option('--segments <list>', 'elderly, students, shoppers, general (comma-separated)', list)
    .option('--tags <list>', 'free tags, e.g. 开学季 (comma-separated)', list)
    .option('--accept-suggestion', 'apply the district and segment suggested from the group name')
    .option('--all-pending', 'with --accept-suggestion: every pending group that has a suggestion (the others are listed)')
    .requiredOption('--as <officer>', 'who tags (an officer id from bots/fleet.yaml; recorded)')
    .action((ref: string | undefined, o: { district?: string; station?: string; segments?: string[]; tags?: string[]; acceptSuggestion?: boolean; allPending?: boolean; as: string }) => {
      const c = ctx();
      // the same officers as in groups and campaigns (bots/fleet.yaml), so the registry's "tagged by" means someone
      const officer = actorNamed(c, o.as);
      if (o.allPending ? ref || !o.acceptSuggestion : !ref) {
        throw new ConfigError([{ file: 'command line', field: o.allPending ? '--all-pending' : 'group', message: o.allPending ? 'goes with --accept-suggestion and no group' : 'name a group (room id, topic or id), or tag every pending one: --all-pending --accept-suggestion' }]);
      }
      const line = (g: GroupRecord): string => `${g.topic}: ${g.status}, ${g.district} ${g.station ?? ''} ${g.segments.join(',')}`;
      return withContext(c, async () => {
        if (!o.allPending) {
          out(line(await tagGroup(c, officer, ref!, { district: o.district, station: o.station, segments: o.segments, tags: o.tags, asSuggested: o.acceptSuggestion })));
          return;
        }
        const r = await tagPendingAsSuggested(c, officer, o.tags);
        for (const g of r.tagged) out(line(g));
        out(`tagged ${r.tagged.length} pending group(s) as suggested${r.left.length ? `; left pending, no suggestion (tag them with --district and --segments): ${r.left.join(', ')}` : ''}`);
      });
    });

  groups
    .command('list')
    .description('list registered groups')
    .option('--pending', 'only groups waiting for an officer to tag them')
    .option('--format <f>', 'table | csv | json', format, 'table')
    .action((o: { pending?: boolean; format: OutputFormat }) =>
      withContext(ctx(), async (c) => {
        const rows = (await listGroups(c, { pending: o.pending })).map((g) => ({
          roomId: g.roomId, topic: g.topic, status: g.status, district: g.district ?? '', station: g.station ?? '',
          segments: g.segments.join(','), members: g.memberCount, bots: g.botIds.join(','),
          suggestion: g.suggestion ? `${g.suggestion.district} ${g.suggestion.segments.join(',')}` : '',
        }));
        out(formatRows(rows, o.format, ['roomId', 'topic', 'status', 'district', 'station', 'segments', 'members', 'bots', 'suggestion']));
      }),
    );
}
