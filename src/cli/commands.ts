import type { Command } from 'commander';
import { join } from 'node:path';
import { paths } from '../config/paths.js';
import { systemClock } from '../config/clock.js';
import { createMemberKeyer } from '../audience/member-key.js';
import { findRunningDevDatabase, startDevDatabase } from '../store/dev-db.js';
import { findGroup, listGroups, tagGroup } from '../store/groups-repo.js';
import { type GroupRecord } from '../shared/groups.js';
import { resolveRegistration } from '../audience/officer-command.js';
import { suggestTags } from '../audience/tag-suggestion.js';
import { ConfigError } from '../config/errors.js';
import { actorOf } from '../campaigns/campaign-service.js';
import { startFleetSimulator } from '../sim/fleet-simulator.js';
import { startSimConsole } from '../sim/sim-console.js';
import { defaultPuppetFactory, missingToken } from '../channels/wechaty/puppet-factory.js';
import { FleetWorker } from '../worker/fleet-worker.js';
import { listBotStates, onlineBotIds } from '../store/bots-repo.js';
import { botNote } from '../app/bot-note.js';
import { liveWorkers } from '../store/workers-repo.js';
import { leaseHolders } from '../store/leases-repo.js';
import { queueDepths, sentSince } from '../outbox/outbox.js';
import { DEMO_REACTIONS, runDemo } from '../demo/run-demo.js';
import { ScriptedMembers } from '../sim/member-behaviour.js';
import { createScamDesk } from '../scamcheck/desk.js';
import { recorderFor } from '../engagement/recorder.js';
import { GroupCache } from '../audience/group-cache.js';
import { composeInbound } from '../fleet/group-membership.js';
import { startLinkServer } from '../api/link-server.js';
import { loadScamTypes } from '../content/library.js';
import { hostname } from 'node:os';
import { formatRows, type OutputFormat } from '../reports/format.js';
import { createContext, type CliContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { testBotsFor } from './sim-bots.js';
import { faultOption, formatOption as format, intOption as int, wordsOption as list } from './options.js';
import { FAULT_KINDS, unknownFaultBots } from '../sim/fault-spec.js';
import type { SimFaults } from '../sim/sim-puppet.js';
import { registerScamCheckCommands } from './scamcheck-commands.js';
import { registerReportCommands } from './report-commands.js';
import { registerCampaignCommands, registerContentCommands } from './campaign-commands.js';
import { wechatyChannel } from '../channels/wechaty/wechaty-channel.js';

export function registerCommands(program: Command): void {
  const ctx = (logLevel?: string): CliContext => {
    const o = program.opts<{ botsDir?: string; contentDir?: string; logLevel?: string }>();
    return createContext({ botsDir: o.botsDir, contentDir: o.contentDir, logLevel: o.logLevel ?? logLevel });
  };

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
      const out = process.stdout;
      out.write(`simulator: ${s.world.rooms.size} groups, ${[...s.world.contacts.values()].filter((x) => x.kind === 'member').length} residents, ${s.sim.endpoints.length} bots\n`);
      for (const e of s.sim.endpoints) {
        const bot = s.fleet.bots.find((b) => b.id === e.botId)!;
        e.puppet.faults = faults.get(e.botId) ?? {};
        const shown = Object.entries(e.puppet.faults).map(([k, v]) => `${k}=${String(v)}`).join(', ');
        out.write(`bot ${e.botId}  endpoint ${e.endpoint}  token ${e.token}${shown ? `  faults: ${shown}` : ''}\n  export ${bot.puppet.tokenEnv}=${e.token}\n`);
      }
      out.write('Ctrl-C stops the simulator. Faults can be switched while it runs: type `help`.\n');
      const closeConsole = startSimConsole(s.sim, process.stdin, out);
      await untilSignal();
      closeConsole();
      await s.stop();
    });

  program
    .command('serve')
    .description('the HTTP server for tracked links (/r/<code>): records clicks, redirects to the allow-listed post link; workers write links to ZHIMI_PUBLIC_URL')
    .option('--port <n>', 'port', int, 8787)
    .option('--host <h>', 'address to listen on', '127.0.0.1')
    .action(async (o: { port: number; host: string }) => {
      const c = ctx();
      const d = await c.db();
      const recorder = recorderFor({ contentDir: c.contentDir, fleet: c.fleet(), store: d.store, keyer: createMemberKeyer(c.env.memberKey), clock: systemClock, log: c.log, writer: `links-${hostname()}-${process.pid}` });
      const server = await startLinkServer({ recorder, library: c.library(), allowedDomains: loadScamTypes(c.contentDir).allowedLinkDomains, log: c.log, host: o.host, port: o.port });
      c.log.info({ url: server.url }, 'link server running; set ZHIMI_PUBLIC_URL to its public address for the workers; Ctrl-C stops it');
      await untilSignal();
      await server.close();
      await recorder.close();
      await d.close();
    });

  const db = program.command('db').description('the development database (FerretDB), used when MONGODB_URI is unset');
  db.command('start')
    .description('build FerretDB if needed and start it in the background')
    .action(async () => {
      const c = ctx();
      const running = await findRunningDevDatabase(paths.state);
      const d = running ?? (await startDevDatabase({ stateDir: paths.state, log: c.log, detached: true }));
      process.stdout.write(`${running ? 'already running' : 'started'}: ${d.uri} (pid ${d.pid})\n`);
    });
  db.command('stop')
    .description('stop the background development database')
    .action(async () => {
      const d = await findRunningDevDatabase(paths.state);
      if (!d) process.stdout.write('not running\n');
      else {
        await d.stop();
        process.stdout.write('stopped\n');
      }
    });

  const fleetCmd = program.command('fleet').description('run the bots');
  fleetCmd
    .command('start')
    .description('run a fleet worker: bots (by lease), campaign scheduler, delivery; several may run against one database')
    .action(async () => {
      const c = ctx();
      const config = c.fleet();
      const num = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
      const d = await c.db();
      const content = c.content();
      const keyer = createMemberKeyer(c.env.memberKey);
      const groups = new GroupCache(d.store, systemClock);
      const desk = createScamDesk({ contentDir: c.contentDir, fleet: config, messages: content.messages, hotline: content.ref.hotline, store: d.store, keyer, clock: systemClock, log: c.log, groups });
      const workerId = process.env['ZHIMI_WORKER_ID'] || `${hostname()}-${process.pid}`;
      const recorder = recorderFor({ contentDir: c.contentDir, fleet: config, store: d.store, keyer, clock: systemClock, log: c.log, writer: workerId, groups });
      const worker = new FleetWorker({
        config, store: d.store, keyer, log: c.log, clock: systemClock, channel: wechatyChannel(defaultPuppetFactory()), inbound: composeInbound(desk, recorder), workerId,
        linkBase: process.env['ZHIMI_PUBLIC_URL'] || undefined,
        content, library: c.library(), campaignDir: join(c.contentDir, 'campaigns'),
        redisUrl: process.env['ZHIMI_REDIS_URL'] || undefined,
        cannotRun: (bot) => missingToken(bot)?.message,
        ...(num('ZHIMI_BOT_LEASE_MS') ? { botLeaseMs: num('ZHIMI_BOT_LEASE_MS') } : {}),
        ...(num('ZHIMI_DELIVERY_LEASE_MS') ? { deliveryLeaseMs: num('ZHIMI_DELIVERY_LEASE_MS') } : {}),
        ...(num('ZHIMI_TICK_MS') ? { tickMs: num('ZHIMI_TICK_MS') } : {}),
        ...(num('ZHIMI_POLL_MS') ? { pollMs: num('ZHIMI_POLL_MS') } : {}),
        ...(num('ZHIMI_SYNC_MS') ? { syncEveryMs: num('ZHIMI_SYNC_MS') } : {}),
      });
      let sent = 0;
      worker.dispatcher.on('delivery:sent', (e) => void recorder.onSent(e));
      worker.dispatcher.on('delivery:sent', () => {
        sent++;
        if (sent % 50 === 0) c.log.info({ sent }, 'dispatching');
      });
      await worker.start();
      c.log.info({ workerId: worker.workerId }, 'fleet worker running; Ctrl-C stops it');
      await untilSignal();
      c.log.info('stopping: cron, lanes, bots, leases');
      await worker.close();
      await recorder.close();
      await d.close();
    });

  fleetCmd
    .command('status')
    .description('bots (online, starting, stopped, offline, failed) and the worker running each, groups per bot, queue depth, sent in the last hour, back-off; the workers running')
    .option('--format <f>', 'table | csv | json', format, 'table')
    .action(async (o: { format: OutputFormat }) => {
      const c = ctx();
      const config = c.fleet();
      const d = await c.db();
      try {
        const now = systemClock.now();
        const [states, online, holders, depth, sent, groups, workers] = await Promise.all([
          listBotStates(d.store), onlineBotIds(d.store, now), leaseHolders(d.store, now), queueDepths(d.store), sentSince(d.store, new Date(now.getTime() - 3_600_000)), listGroups(d.store, { status: ['active', 'paused', 'pending'] }), liveWorkers(d.store, now),
        ]);
        // online only with a fresh heartbeat; starting only while a worker holds it
        const stateOf = (botId: string, status: string | undefined): string =>
          status === 'online' || status === 'starting' ? (online.has(botId) ? status : 'offline') : (status ?? 'offline');
        const rows = config.bots.map((b) => {
          const st = states.find((x) => x.botId === b.id);
          const cooling = st?.cooldownUntil && st.cooldownUntil > now ? Math.round((st.cooldownUntil.getTime() - now.getTime()) / 1000) : 0;
          return {
            bot: b.id,
            state: stateOf(b.id, st?.status),
            worker: holders.get(b.id) ?? '',
            groups: groups.filter((g) => g.botIds.includes(b.id)).length,
            queued: depth.get(b.id) ?? 0,
            sentLastHour: sent.get(b.id) ?? 0,
            backoff: st && st.backoffFactor > 1 ? `×${st.backoffFactor}${cooling ? `, paused ${cooling}s` : ''}` : '',
            note: botNote(st),
          };
        });
        process.stdout.write(formatRows(rows, o.format) + '\n');
        if (o.format === 'table') {
          const bots = (w: string): number => [...holders.values()].filter((x) => x === w).length;
          process.stdout.write(`\nworkers running: ${workers.length ? workers.map((w) => `${w.workerId} (${bots(w.workerId)} bot${bots(w.workerId) === 1 ? '' : 's'})`).join(', ') : 'none'}\n`);
        }
      } finally {
        await d.close();
      }
    });

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
    .action(async (ref: string | undefined, o: { district?: string; station?: string; segments?: string[]; tags?: string[]; acceptSuggestion?: boolean; allPending?: boolean; as: string }) => {
      const c = ctx();
      const content = c.content();
      // the same officers as in groups and campaigns (bots/fleet.yaml), so the registry's "tagged by" means someone
      const officer = actorOf(c.fleet(), o.as).id;
      if (o.allPending ? ref || !o.acceptSuggestion : !ref) {
        throw new ConfigError([{ file: 'command line', field: o.allPending ? '--all-pending' : 'group', message: o.allPending ? 'goes with --accept-suggestion and no group' : 'name a group (room id, topic or id), or tag every pending one: --all-pending --accept-suggestion' }]);
      }
      const d = await c.db();
      /** The words an officer would type for a group (`登记 仓山区 金山派出所 老年`), or why there are none. */
      const wordsFor = (g: GroupRecord): string[] | string => {
        if (!o.acceptSuggestion) return [o.district ?? '', ...(o.station ? [o.station] : []), ...(o.segments ?? [])].filter(Boolean);
        const s = suggestTags(g.topic, content.rules, content.ref);
        return s.district && s.segments.length ? [s.district, ...s.segments] : `no suggestion for "${g.topic}": give --district and --segments`;
      };
      const tagOne = async (g: GroupRecord, words = wordsFor(g)): Promise<string> => {
        const r = typeof words === 'string' ? { ok: false as const, reply: words } : resolveRegistration(words, content.ref);
        if (!r.ok) throw new ConfigError([{ file: 'command line', field: o.acceptSuggestion ? '--accept-suggestion' : '--district/--station/--segments', message: r.reply }]);
        const tagged = (await tagGroup(d.store, g.roomId, { district: r.command.district, station: r.command.station, segments: r.command.segments, tags: o.tags, taggedBy: officer }))!;
        return `${tagged.topic}: ${tagged.status}, ${tagged.district} ${tagged.station ?? ''} ${tagged.segments.join(',')}`;
      };
      try {
        if (!o.allPending) {
          const g = await findGroup(d.store, ref!);
          if (!g) throw new ConfigError([{ file: 'command line', field: 'group', message: `no registered group "${ref}": see \`zhimi groups list\`` }]);
          process.stdout.write(`${await tagOne(g)}\n`);
          return;
        }
        const left: string[] = [];
        let done = 0;
        for (const g of await listGroups(d.store, { status: 'pending' })) {
          const words = wordsFor(g);
          if (typeof words === 'string') {
            left.push(g.topic);
            continue;
          }
          process.stdout.write(`${await tagOne(g, words)}\n`);
          done++;
        }
        process.stdout.write(`tagged ${done} pending group(s) as suggested${left.length ? `; left pending, no suggestion (tag them with --district and --segments): ${left.join(', ')}` : ''}\n`);
      } finally {
        await d.close();
      }
    });

  groups
    .command('list')
    .description('list registered groups')
    .option('--pending', 'only groups waiting for an officer to tag them')
    .option('--format <f>', 'table | csv | json', format, 'table')
    .action(async (o: { pending?: boolean; format: OutputFormat }) => {
      const c = ctx();
      const d = await c.db();
      try {
        const content = c.content();
        const rows = await listGroups(d.store, o.pending ? { status: 'pending' } : {});
        process.stdout.write(
          formatRows(
            rows.map((g) => {
              const s = g.status === 'pending' ? suggestTags(g.topic, content.rules, content.ref) : undefined;
              return {
                roomId: g.roomId, topic: g.topic, status: g.status, district: g.district ?? '', station: g.station ?? '',
                segments: g.segments.join(','), members: g.memberCount, bots: g.botIds.join(','),
                suggestion: s?.district && s.segments.length ? `${s.district} ${s.segments.join(',')}` : '',
              };
            }),
            o.format,
            ['roomId', 'topic', 'status', 'district', 'station', 'segments', 'members', 'bots', 'suggestion'],
          ) + '\n',
        );
      } finally {
        await d.close();
      }
    });
}


function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
