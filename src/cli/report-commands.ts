import type { Command } from 'commander';
import { systemClock } from '../config/clock.js';
import { loadScamTypes } from '../content/library.js';
import type { Segment } from '../audience/segments.js';
import { SKETCH_ERROR } from '../engagement/reach-sketch.js';
import type { Store } from '../store/connection.js';
import { latestTips, tipCounts, type TipsBy } from '../store/tips-repo.js';
import { formatRows, type OutputFormat, type Row } from '../reports/format.js';
import { REPORT_DIMS, type ReportDim } from '../reports/tabulate.js';
import { engagementReport, groupsReport, postsReport, reachReport, uniqueReachTotal, type ReportQuery } from '../reports/reports.js';
import type { CliContext } from './context.js';
import { dayOption, formatOption, intOption, listOption, reportPeriod, segmentOption } from './options.js';

type AnalystOptions = { from?: string; to?: string; campaign?: string; segment?: Segment; district?: string; by: ReportDim[]; format: OutputFormat; top: number };

/** The options every analyst report takes. */
function analystReport(parent: Command, name: string, description: string, byDefault: ReportDim[]): Command {
  return parent
    .command(name)
    .description(description)
    .option('--from <day>', 'first day, YYYY-MM-DD (default: 29 days before --to)', dayOption)
    .option('--to <day>', 'last day, YYYY-MM-DD (default: today)', dayOption)
    .option('--campaign <id>', 'only this campaign')
    .option('--segment <s>', 'only this segment: elderly, students, shoppers, general', segmentOption)
    .option('--district <name>', 'only this district, e.g. 鼓楼区')
    .option('--by <dims>', `break down by ${REPORT_DIMS.join(', ')} (comma-separated)`, listOption<ReportDim>(REPORT_DIMS, '--by'), byDefault)
    .option('--top <n>', 'posts report: how many posts', intOption, 20)
    .option('--format <f>', 'table | csv | json', formatOption, 'table' as OutputFormat);
}

export function registerReportCommands(program: Command, ctx: () => CliContext): void {
  const report = program.command('report').description('reports for analysts (dates are Asia/Shanghai days)');
  const kinds: [string, string, ReportDim[], (store: Store, q: ReportQuery & { top: number }) => Promise<Row[]>][] = [
    ['reach', 'deliveries, groups reached, members reached (sum, and unique: a resident in several groups counts once)', ['day'], reachReport],
    ['engagement', 'replies, mentions, keywords, questions, clicks, and engagements per 1,000 members reached', ['day'], engagementReport],
    ['posts', 'posts ranked by engagements per 1,000 members reached', ['post'], postsReport],
    ['groups', 'active groups that never engage, or have had no post in 30 days', ['day'], groupsReport],
  ];
  for (const [name, description, byDefault, run] of kinds) {
    analystReport(report, name, description, byDefault).action(async (o: AnalystOptions) => {
      const q = { ...reportPeriod(o, systemClock.now(), 30), by: o.by, top: o.top, ...(o.campaign ? { campaign: o.campaign } : {}), ...(o.segment ? { segment: o.segment } : {}), ...(o.district ? { district: o.district } : {}) };
      const d = await ctx().db();
      try {
        const rows = await run(d.store, q);
        if (o.format === 'table') process.stdout.write(`${name} ${q.from} … ${q.to}${o.campaign ? `, campaign ${o.campaign}` : ''}${o.segment ? `, ${o.segment}` : ''}${o.district ? `, ${o.district}` : ''}\n`);
        process.stdout.write(formatRows(rows, o.format) + '\n');
        if (name === 'reach' && o.format === 'table') {
          const u = await uniqueReachTotal(d.store, q);
          process.stdout.write(`all rows together: ${u.members.toLocaleString('en-US')} distinct members in ${u.groups.toLocaleString('en-US')} groups${u.exact ? '' : ` (estimate, ±${(SKETCH_ERROR * 100).toFixed(1)}%)`}\n`);
        }
      } finally {
        await d.close();
      }
    });
  }
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
    .action(async (o: { from?: string; to?: string; by: TipsBy[]; type?: string; district?: string; latest: number; format: OutputFormat }) => {
      const c = ctx();
      const period = reportPeriod(o, systemClock.now(), 7);
      const names = Object.fromEntries(loadScamTypes(c.contentDir).types.map((t) => [t.id, t.name]));
      const d = await c.db();
      try {
        const q = { ...period, by: o.by, ...(o.type ? { type: o.type } : {}), ...(o.district ? { district: o.district } : {}) };
        const counts = await tipCounts(d.store, q);
        const rows = counts
          .map((r) => ({
            ...Object.fromEntries(o.by.map((b) => [b, b === 'type' && r.key[b] ? `${names[r.key[b]!] ?? r.key[b]}` : (r.key[b] ?? (b === 'district' ? '(private)' : ''))])),
            checks: r.checks,
            high: r.high,
            medium: r.medium,
          }))
          .sort((a, b) => b.checks - a.checks || String(Object.values(a)[0]).localeCompare(String(Object.values(b)[0])));
        if (o.format === 'table') process.stdout.write(`tips ${period.from} … ${period.to}\n`);
        process.stdout.write(formatRows(rows, o.format, [...o.by, 'checks', 'high', 'medium']) + '\n');
        if (o.latest > 0) {
          const tips = await latestTips(d.store, q, o.latest);
          const list = tips.map((t) => ({ at: t.at.toISOString(), district: t.district ?? '(private)', type: names[t.type] ?? t.type, risk: t.risk, text: t.text.replace(/\s+/g, ' ').slice(0, 80) }));
          process.stdout.write((o.format === 'table' ? '\nlatest:\n' : '') + formatRows(list, o.format) + '\n');
        }
      } finally {
        await d.close();
      }
    });
}
