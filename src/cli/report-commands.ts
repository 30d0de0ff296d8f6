import type { Command } from 'commander';
import type { AppContext } from '../app/context.js';
import { ANALYST_REPORTS, analystReport, tipsReport, type AnalystReportKind } from '../app/reports.js';
import { LOCAL_OPERATOR } from '../app/users.js';
import type { TipsBy } from '../app/reports.js';
import { SKETCH_ERROR } from '../engagement/reach-sketch.js';
import { formatRows, type OutputFormat } from '../reports/format.js';
import { REPORT_DIMS, type ReportDim } from '../reports/tabulate.js';
import type { Segment } from '../shared/groups.js';
import { withContext } from './context.js';
import { reportCheck } from '../app/report-check.js';
import { shanghaiDay } from '../config/clock.js';
import { EXIT } from './exit-codes.js';
import { dayOption, formatOption, intOption, listOption, reportPeriod, segmentOption } from './options.js';

type AnalystOptions = { from?: string; to?: string; campaign?: string; segment?: Segment; district?: string; by: ReportDim[]; format: OutputFormat; top: number };

/** The options every analyst report takes. */
function analystReportCommand(parent: Command, name: string, description: string, byDefault: readonly ReportDim[]): Command {
  return parent
    .command(name)
    .description(description)
    .option('--from <day>', 'first day, YYYY-MM-DD (default: 29 days before --to)', dayOption)
    .option('--to <day>', 'last day, YYYY-MM-DD (default: today)', dayOption)
    .option('--campaign <id>', 'only this campaign')
    .option('--segment <s>', 'only this segment: elderly, students, shoppers, general', segmentOption)
    .option('--district <name>', 'only this district, e.g. 鼓楼区')
    .option('--by <dims>', `break down by ${REPORT_DIMS.join(', ')} (comma-separated)`, listOption<ReportDim>(REPORT_DIMS, '--by'), [...byDefault])
    .option('--top <n>', 'posts report: how many posts', intOption, 20)
    .option('--format <f>', 'table | csv | json', formatOption, 'table' as OutputFormat);
}

export function registerReportCommands(program: Command, ctx: () => AppContext): void {
  const report = program.command('report').description('reports for analysts (dates are Asia/Shanghai days)');
  for (const name of Object.keys(ANALYST_REPORTS) as AnalystReportKind[]) {
    analystReportCommand(report, name, ANALYST_REPORTS[name].about, ANALYST_REPORTS[name].by).action((o: AnalystOptions) =>
      withContext(ctx(), async (c) => {
        const q = { ...reportPeriod(o, c.clock.now(), 30), by: o.by, top: o.top, ...(o.campaign ? { campaign: o.campaign } : {}), ...(o.segment ? { segment: o.segment } : {}), ...(o.district ? { district: o.district } : {}) };
        const r = await analystReport(c, LOCAL_OPERATOR, name, q);
        if (o.format === 'table') process.stdout.write(`${name} ${q.from} … ${q.to}${o.campaign ? `, campaign ${o.campaign}` : ''}${o.segment ? `, ${o.segment}` : ''}${o.district ? `, ${o.district}` : ''}\n`);
        process.stdout.write(formatRows(r.rows, o.format) + '\n');
        if (r.unique && o.format === 'table') {
          const u = r.unique;
          process.stdout.write(`all rows together: ${u.members.toLocaleString('en-US')} distinct members in ${u.groups.toLocaleString('en-US')} groups${u.exact ? '' : ` (estimate, ±${(SKETCH_ERROR * 100).toFixed(1)}%)`}\n`);
        }
      }),
    );
  }
  report
    .command('check')
    .description('recompute a day from the outbox and the engagement events, and say where the counters the reports read differ (exit 5 if they do)')
    .option('--day <day>', 'the day, YYYY-MM-DD (default: today)', dayOption)
    .option('--format <f>', 'table | csv | json', formatOption, 'table' as OutputFormat)
    .action((o: { day?: string; format: OutputFormat }) =>
      withContext(ctx(), async (c) => {
        const r = await reportCheck(c, o.day ?? shanghaiDay(c.clock.now()));
        if (o.format === 'table') {
          process.stdout.write(`check ${r.day}: the outbox holds ${r.records.sent} posts sent (reach ${r.records.reach}) and ${r.records.engagements} engagement events\n`);
          process.stdout.write(r.differences.length ? `the counters differ in ${r.differences.length} place(s):\n` : 'the counters agree with them\n');
        }
        if (r.differences.length || o.format !== 'table') process.stdout.write(formatRows(r.differences.map((d) => ({ ...d })), o.format, ['level', 'campaign', 'key', 'measure', 'records', 'counters']) + '\n');
        if (r.differences.length) process.exitCode = EXIT.findings;
      }),
    );
  report
    .command('tips')
    .description('what members asked the scam check about: checks and 高/中 risk by type, district and day, and the latest masked texts')
    .option('--from <day>', 'first day, YYYY-MM-DD (default: 6 days before --to)', dayOption)
    .option('--to <day>', 'last day, YYYY-MM-DD (default: today)', dayOption)
    .option('--by <dims>', 'type, district, day, risk (comma-separated)', listOption<TipsBy>(['type', 'district', 'day', 'risk'], '--by'), ['type'] as TipsBy[])
    .option('--type <id>', 'only this scam type id (content/scam-types.yaml)')
    .option('--district <name>', 'only this district')
    .option('--latest <n>', 'also list the latest n tips (masked text)', intOption, 0)
    .option('--format <f>', 'table | csv | json', formatOption, 'table' as OutputFormat)
    .action((o: { from?: string; to?: string; by: TipsBy[]; type?: string; district?: string; latest: number; format: OutputFormat }) =>
      withContext(ctx(), async (c) => {
        const period = reportPeriod(o, c.clock.now(), 7);
        const r = await tipsReport(c, LOCAL_OPERATOR, { ...period, by: o.by, type: o.type, district: o.district, latest: o.latest });
        if (o.format === 'table') process.stdout.write(`tips ${period.from} … ${period.to}\n`);
        process.stdout.write(formatRows(r.rows, o.format, [...o.by, 'checks', 'high', 'medium']) + '\n');
        if (o.latest > 0) {
          const list = r.latest.map((t) => ({ ...t, at: t.at.toISOString() }));
          process.stdout.write((o.format === 'table' ? '\nlatest:\n' : '') + formatRows(list, o.format) + '\n');
        }
      }),
    );
}
