import type { Command } from 'commander';
import { join } from 'node:path';
import { paths } from '../config/paths.js';
import { ConfigError } from '../config/errors.js';
import type { AppContext } from '../app/context.js';
import { actorNamed } from '../app/actor.js';
import { listGroups, tagGroup, tagPendingAsSuggested } from '../app/groups.js';
import { serveLinks } from '../api/serve-links.js';
import { runDemo } from '../demo/run-demo.js';
import { formatRows, type OutputFormat } from '../reports/format.js';
import type { GroupRecord } from '../shared/groups.js';
import { contextOf, out, untilSignal, withContext } from './context.js';
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

  registerSimCommands(program, ctx);

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

  registerFleetCommands(program, ctx);

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
