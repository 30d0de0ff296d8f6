import type { Command } from 'commander';
import { join } from 'node:path';
import { paths } from '../config/paths.js';
import { ConfigError } from '../config/errors.js';
import type { AppContext } from '../app/context.js';
import { LOCAL_OPERATOR } from '../app/users.js';
import { callApi } from './api-client.js';
import { registerUserCommands } from './user-commands.js';
import { listGroups } from '../app/groups.js';
import { formatRows, terminalSafe, type OutputFormat } from '../reports/format.js';
import { contextOf, out, untilSignal, useFaceDatabase, withContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { formatOption as format, intOption as int, wordsOption as list } from './options.js';
import { registerScamCheckCommands } from './scamcheck-commands.js';
import { registerReportCommands } from './report-commands.js';
import { registerCampaignCommands, registerContentCommands } from './campaign-commands.js';
import { registerSimCommands } from './sim-commands.js';
import { registerFleetCommands } from './fleet-commands.js';

export function registerCommands(program: Command): void {
  const ctx = (logLevel?: string): AppContext => contextOf(program, logLevel);

  registerContentCommands(program, ctx);
  registerCampaignCommands(program, ctx);
  registerScamCheckCommands(program, ctx);
  registerReportCommands(program, ctx);
  registerUserCommands(program, ctx);

  program
    .command('demo')
    .description('run the demo: development database, simulated WeChat, the shipped bots, one post to every group')
    .option('--groups <n>', 'groups in the simulated world', int, 36)
    .option('--members-per-group <n>', 'mean members per group', int, 80)
    .action(async (o: { groups: number; membersPerGroup: number }) => {
      // the demo prints its own progress; logs only for warnings unless asked
      const c = ctx(process.env['ZHIMI_LOG_LEVEL'] ?? 'warn');
      await import('../channels/wechaty/wechaty-log-early.js');
      const { runDemo } = await import('../demo/run-demo.js');
      const res = await runDemo({ env: c.env, fleet: c.fleet(), content: c.content(), library: c.library(), contentDir: c.contentDir, campaignDir: join(c.contentDir, 'campaigns'), stateDir: paths.state, log: c.log, groups: o.groups, membersPerGroup: o.membersPerGroup,
        // in a terminal the demo ends by serving the console with its users until Ctrl-C; without one (CI) it exits
        ...(process.stdout.isTTY ? { serveUntil: () => untilSignal() } : {}) });
      if (res.sent < res.planned) process.exitCode = EXIT.wechat;
    });

  registerSimCommands(program, ctx);

  program
    .command('serve')
    .description('the HTTP API and the web console (sessions, API tokens, every use case; OpenAPI at /api/openapi.json, docs at /api/docs)')
    .option('--port <n>', 'port', int, 8080)
    .option('--host <h>', 'address to listen on', '127.0.0.1')
    .action((o: { port: number; host: string }) => {
      useFaceDatabase('api');
      return withContext(ctx(), async (c) => {
        const { serveApi } = await import('../api/serve-api.js');
        const server = await serveApi(c, o);
        c.log.info({ url: server.url }, 'Zhimi API and console running; Ctrl-C stops it');
        await untilSignal();
        await server.stop();
      });
    });

  program
    .command('links')
    .description('the HTTP server for tracked links (/r/<code>): records clicks, redirects to the allow-listed post link; workers write links to ZHIMI_PUBLIC_URL')
    .option('--port <n>', 'port', int, 8787)
    .option('--host <h>', 'address to listen on', '127.0.0.1')
    .action((o: { port: number; host: string }) => {
      useFaceDatabase('links');
      return withContext(ctx(), async (c) => {
        const { serveLinks } = await import('../api/serve-links.js');
        const server = await serveLinks(c, o);
        c.log.info({ url: server.url }, 'link server running; set ZHIMI_PUBLIC_URL to its public address for the workers; Ctrl-C stops it');
        await untilSignal();
        await server.stop();
      });
    });

  registerFleetCommands(program, ctx);

  const groups = program.command('groups').description('the group registry');
  groups
    .command('tag [group]')
    .description('tag a group (room id, topic or id) with district, police station and segments, as the signed-in user; a pending group becomes active')
    .option('--district <name>', 'county-level district, e.g. 仓山区')
    .option('--station <name>', 'police station of that district, e.g. 金山派出所')
    .option('--segments <list>', 'elderly, students, shoppers, general (comma-separated)', list)
    .option('--tags <list>', 'free tags, e.g. 开学季 (comma-separated)', list)
    .option('--accept-suggestion', 'apply the district and segment suggested from the group name')
    .option('--all-pending', 'with --accept-suggestion: every pending group you may tag that has a suggestion (the others are listed)')
    .action(async (ref: string | undefined, o: { district?: string; station?: string; segments?: string[]; tags?: string[]; acceptSuggestion?: boolean; allPending?: boolean }) => {
      if (o.allPending ? ref || !o.acceptSuggestion : !ref) {
        throw new ConfigError([{ file: 'command line', field: o.allPending ? '--all-pending' : 'group', message: o.allPending ? 'goes with --accept-suggestion and no group' : 'name a group (room id, topic or id), or tag every pending one: --all-pending --accept-suggestion' }]);
      }
      type G = { id: string; topic: string; status: string; district?: string; station?: string; segments: string[]; suggestion?: unknown };
      // group names are what WeChat users typed: shown without their control characters
      const line = (g: G): string => terminalSafe(`${g.topic}: ${g.status}, ${g.district ?? ''} ${g.station ?? ''} ${g.segments.join(',')}`);
      const body = { district: o.district, station: o.station, segments: o.segments, tags: o.tags, asSuggested: o.acceptSuggestion };
      if (!o.allPending) {
        out(line(await callApi<G>('POST', `/api/groups/${encodeURIComponent(ref!)}/tag`, body)));
        return;
      }
      const r = await callApi<{ tagged: G[]; left: string[] }>('POST', '/api/groups/accept-suggestions', { tags: o.tags });
      for (const g of r.tagged) out(line(g));
      const tagged = r.tagged.length;
      const left = r.left.map((t) => terminalSafe(t));
      out(`tagged ${tagged} pending group(s) as suggested${left.length ? `; left pending, no suggestion (tag them with --district and --segments): ${left.join(', ')}` : ''}`);
    });

  for (const paused of [true, false]) {
    groups
      .command(`${paused ? 'pause' : 'resume'} <group>`)
      .description(paused ? 'pause a group\'s campaign posts, as the signed-in user (skips the posts planned for it)' : 'resume a group\'s campaign posts')
      .action(async (ref: string) => {
        const r = await callApi<{ group: { topic: string; status: string }; skipped: number }>('POST', `/api/groups/${encodeURIComponent(ref)}/${paused ? 'pause' : 'resume'}`, {});
        out(`${r.group.topic}: ${r.group.status}${r.skipped ? ` (${r.skipped} planned post(s) skipped)` : ''}`);
      });
  }

  groups
    .command('list')
    .description('list registered groups')
    .option('--pending', 'only groups waiting for an officer to tag them')
    .option('--format <f>', 'table | csv | json', format, 'table')
    .action((o: { pending?: boolean; format: OutputFormat }) =>
      withContext(ctx(), async (c) => {
        const rows = (await listGroups(c, LOCAL_OPERATOR, { pending: o.pending })).map((g) => ({
          roomId: g.roomId, topic: g.topic, status: g.status, district: g.district ?? '', station: g.station ?? '',
          segments: g.segments.join(','), members: g.memberCount, bots: g.botIds.join(','),
          suggestion: g.suggestion ? `${g.suggestion.district} ${g.suggestion.segments.join(',')}` : '',
        }));
        out(formatRows(rows, o.format, ['roomId', 'topic', 'status', 'district', 'station', 'segments', 'members', 'bots', 'suggestion']));
      }),
    );
}
