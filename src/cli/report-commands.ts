import type { Command } from 'commander';
import { systemClock } from '../config/clock.js';
import { latestTips, tipCounts, type TipsBy } from '../store/tips-repo.js';
import { formatRows, type OutputFormat } from '../reports/format.js';
import { loadScamTypes } from '../content/library.js';
import type { CliContext } from './context.js';
import { dayOption, defaultPeriod, formatOption, intOption, listOption } from './options.js';

export function registerReportCommands(program: Command, ctx: () => CliContext): void {
  const report = program.command('report').description('reports for analysts (dates are Asia/Shanghai days)');
  report
    .command('tips')
    .description('what members asked the scam check about: checks and 高/中 risk by type, district and day, and the latest masked texts')
    .option('--from <day>', 'first day, YYYY-MM-DD (default: 6 days ago)', dayOption)
    .option('--to <day>', 'last day, YYYY-MM-DD (default: today)', dayOption)
    .option('--by <dims>', 'type, district, day, risk (comma-separated)', listOption<TipsBy>(['type', 'district', 'day', 'risk'], '--by'), ['type'] as TipsBy[])
    .option('--type <id>', 'only this scam type id (content/scam-types.yaml)')
    .option('--district <name>', 'only this district')
    .option('--latest <n>', 'also list the latest n tips (masked text)', intOption, 0)
    .option('--format <f>', 'table | csv | json', formatOption, 'table' as OutputFormat)
    .action(async (o: { from?: string; to?: string; by: TipsBy[]; type?: string; district?: string; latest: number; format: OutputFormat }) => {
      const c = ctx();
      const period = { ...defaultPeriod(systemClock.now(), 7), ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) };
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
