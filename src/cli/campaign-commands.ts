import type { Command } from 'commander';
import { actorNamed } from '../app/actor.js';
import { campaignStatus, changeCampaign, lintContent, listCampaigns, previewCampaign, submitCampaign, validateCampaign } from '../app/campaigns.js';
import type { AppContext } from '../app/context.js';
import { formatRows } from '../reports/format.js';
import { out, withContext } from './context.js';
import { EXIT } from './exit-codes.js';

const shanghai = (d: Date): string => d.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);

export function registerContentCommands(program: Command, ctx: () => AppContext): void {
  const content = program.command('content').description('the reviewed content library');
  content
    .command('lint')
    .description('check every post: front matter, audiences, scam types, links, images, variants, length')
    .option('--dir <dir>', 'content folder (holds posts/ and scam-types.yaml)')
    .option('--posts <dir>', 'posts folder to check instead of <dir>/posts')
    .action((o: { dir?: string; posts?: string }) => {
      const { posts, problems } = lintContent(ctx(), { dir: o.dir, postsDir: o.posts });
      for (const p of problems) out(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
      if (problems.length) {
        out(`${problems.length} problem(s) in ${new Set(problems.map((p) => p.file)).size} file(s)`);
        process.exitCode = EXIT.findings;
        return;
      }
      const types = new Set(posts.flatMap((p) => p.scamTypes));
      const segs = new Set(posts.flatMap((p) => p.audiences));
      out(`ok: ${posts.length} posts, ${posts.reduce((a, p) => a + p.variants.length, 0)} variants, ${types.size} scam types, segments ${[...segs].join(', ')}`);
    });
}

export function registerCampaignCommands(program: Command, ctx: () => AppContext): void {
  const campaign = program.command('campaign').description('campaigns: validate, preview, approve, run status');

  campaign
    .command('validate <file>')
    .description('schema, referenced posts, cron, and whether the selector matches registered groups')
    .action((file: string) =>
      withContext(ctx(), async (c) => {
        const r = await validateCampaign(c, file);
        for (const e of r.errors) out(`${file}: error: ${e}`);
        for (const w of r.warnings) out(`${file}: warning: ${w}`);
        if (r.errors.length) process.exitCode = EXIT.findings;
        else out(`ok: ${r.id} targets ${r.targeted} group(s) now`);
      }),
    );

  campaign
    .command('preview <id>')
    .description('next run times, groups per segment and district, and the post each group would get; sends nothing')
    .option('--days <n>', 'how far ahead', (v) => Number(v), 7)
    .action((id: string, o: { days: number }) =>
      withContext(ctx(), async (c) => {
        const p = await previewCampaign(c, id, o.days);
        out(`${p.id} — ${p.name}`);
        out(`runs in the next ${o.days} days (Asia/Shanghai): ${p.dueTimes.length ? p.dueTimes.map(shanghai).join(', ') : 'none'}`);
        if (!p.first) return;
        out(`\nfirst run ${shanghai(p.first.at)}: ${p.first.targets.length} group(s), ${p.first.skipped.length} skipped`);
        out(formatRows(p.first.byArea, 'table'));
        out('');
        out(formatRows(p.first.targets.map((t) => ({ ...t, notBefore: shanghai(t.notBefore) })), 'table'));
        for (const s of p.first.skipped) out(`skipped ${s.group}: ${s.reason}`);
      }),
    );

  campaign
    .command('submit <file>')
    .description('submit a campaign file for approval (you become its author)')
    .requiredOption('--as <user>', 'officer id from bots/fleet.yaml')
    .option('--reason <text>')
    .action((file: string, o: { as: string; reason?: string }) =>
      withContext(ctx(), async (c) => {
        const r = await submitCampaign(c, actorNamed(c, o.as), file, o.reason);
        if (r.errors.length) {
          for (const e of r.errors) out(`${file}: error: ${e}`);
          process.exitCode = EXIT.findings;
          return;
        }
        out(`${r.id}: ${r.status} (author ${r.author}, version ${r.version}); an approver must approve it: zhimi campaign approve ${r.id} --as <approver>`);
        if (r.notWatched) out(`note: workers watch ${r.notWatched} for edits after approval; ${file} is not that file, so the version submitted now is what runs until it is submitted again`);
      }),
    );

  for (const action of ['approve', 'pause', 'resume', 'cancel'] as const) {
    campaign
      .command(`${action} <id>`)
      .description(`${action} a campaign`)
      .requiredOption('--as <user>', 'officer id from bots/fleet.yaml')
      .option('--reason <text>')
      .action((id: string, o: { as: string; reason?: string }) =>
        withContext(ctx(), async (c) => {
          const r = await changeCampaign(c, actorNamed(c, o.as), id, action, o.reason);
          if (r.fileNote) out(`note: ${r.fileNote}`);
          out(`${r.id}: ${r.status}${r.effect ? ` (${r.effect})` : ''}`);
        }),
      );
  }

  campaign
    .command('list')
    .description('campaigns in the database with their status')
    .action(() => withContext(ctx(), async (c) => out(formatRows((await listCampaigns(c)).map((r) => ({ ...r })), 'table'))));

  campaign
    .command('status <id>')
    .description('status, audit trail and deliveries per run (planned / sent / failed / skipped / unknown)')
    .action((id: string) =>
      withContext(ctx(), async (c) => {
        const s = await campaignStatus(c, id);
        out(`${s.id} — ${s.name}: ${s.status} (author ${s.author || '-'}, approved by ${s.approvedBy || '-'}, version ${s.version})`);
        out('\naudit trail');
        out(formatRows(s.audit.map((a) => ({ at: shanghai(a.at), by: a.by, action: a.action, from: a.from, to: a.to, reason: a.reason ?? '' })), 'table'));
        out('\nruns');
        out(s.runs.length ? formatRows(s.runs.map(({ scheduledAt, ...r }) => ({ run: shanghai(scheduledAt), ...r })), 'table') : 'none yet');
        if (s.notSent.length) {
          out('\nnot sent, and why');
          out(formatRows(s.notSent.map(({ scheduledAt, ...n }) => ({ run: shanghai(scheduledAt), ...n })), 'table'));
        }
      }),
    );
}
