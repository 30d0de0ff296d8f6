import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import { lintContent, previewCampaign, validateCampaign, type CampaignPreview } from '../app/campaigns.js';
import type { AppContext } from '../app/context.js';
import { LOCAL_OPERATOR } from '../app/users.js';
import { ConfigError } from '../config/errors.js';
import type { CampaignStatusView, CampaignSummary, ChangeResultView, PreviewView, SubmitResultView, VersionReviewView } from '../api/schemas.js';
import { formatRows } from '../reports/format.js';
import { callApi } from './api-client.js';
import { out, withContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { intOption } from './options.js';

/** What the API answers, as JSON (instants as ISO strings). */
type Wire<T extends z.ZodType> = z.input<T>;

const shanghai = (d: Date | string): string => new Date(d).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);

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

function printPreview(p: CampaignPreview | Wire<typeof PreviewView>, days: number): void {
  out(`${p.id} — ${p.name}`);
  out(`runs in the next ${days} days (Asia/Shanghai): ${p.dueTimes.length ? p.dueTimes.map(shanghai).join(', ') : 'none'}`);
  if (!p.first) return;
  out(`\nfirst run ${shanghai(p.first.at)}: ${p.first.targets.length} group(s), ${p.first.skipped.length} skipped`);
  out(formatRows(p.first.byArea, 'table'));
  out('');
  out(formatRows(p.first.targets.map((t) => ({ ...t, notBefore: shanghai(t.notBefore) })), 'table'));
  for (const s of p.first.skipped) out(`skipped ${s.group}: ${s.reason}`);
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, field: '', message: `cannot read: ${(err as Error).message}` }]);
  }
}

/**
 * Campaign commands. What a person does (submit, approve, reject, pause,
 * resume, cancel, run now) and what they see (list, status, review) goes
 * through the API as the signed-in user (`zhimi login`); checking a file
 * (`validate`, `preview <file>`) stays on this machine.
 */
export function registerCampaignCommands(program: Command, ctx: () => AppContext): void {
  const campaign = program.command('campaign').description('campaigns: validate, submit, review, approve, pause, run status');

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
    .command('preview <id-or-file>')
    .description('next run times, groups per segment and district, and the post each group would get; sends nothing (a file: on this machine; an id: its latest version, through the API)')
    .option('--days <n>', 'how far ahead', intOption, 7)
    .action(async (id: string, o: { days: number }) => {
      if (/\.ya?ml$/.test(id)) await withContext(ctx(), async (c) => printPreview(await previewCampaign(c, LOCAL_OPERATOR, id, o.days), o.days));
      else printPreview(await callApi<Wire<typeof PreviewView>>('GET', `/api/campaigns/${encodeURIComponent(id)}/preview?days=${o.days}`), o.days);
    });

  campaign
    .command('submit <file>')
    .description('submit a campaign file as a new version for review (as the signed-in drafter)')
    .option('--reason <text>', 'what changed, for the reviewer')
    .action(async (file: string, o: { reason?: string }) => {
      const r = await callApi<Wire<typeof SubmitResultView>>('POST', '/api/campaigns', { yaml: readFile(file), source: file, ...(o.reason ? { reason: o.reason } : {}) });
      for (const w of r.warnings) out(`${file}: warning: ${w}`);
      if (r.errors.length) {
        for (const e of r.errors) out(`${file}: error: ${e}`);
        process.exitCode = EXIT.findings;
        return;
      }
      out(`${r.id}: ${r.status}, version ${r.version} (submitted by ${r.submittedBy}); a reviewer other than you approves it: zhimi campaign review ${r.id}, then zhimi campaign approve ${r.id} --version ${r.version}`);
    });

  campaign
    .command('review <id>')
    .description('a version as its reviewer sees it: what changed since the approved version, and every post text it can send')
    .option('--version <n>', 'the version (default: the one under review)', intOption)
    .action(async (id: string, o: { version?: number }) => {
      const version = o.version ?? (await callApi<Wire<typeof CampaignStatusView>>('GET', `/api/campaigns/${encodeURIComponent(id)}`)).version;
      const v = await callApi<Wire<typeof VersionReviewView>>('GET', `/api/campaigns/${encodeURIComponent(id)}/versions/${version}`);
      out(`${v.id} version ${v.version}: ${v.status}, submitted by ${v.submittedBy} at ${shanghai(v.submittedAt)}${v.reason ? ` (${v.reason})` : ''}`);
      out(`\nchanges since the approved version:\n${v.changes.map((c) => `  ${c}`).join('\n') || '  none'}`);
      out(`\n${v.yaml}`);
      for (const p of v.posts) {
        out(`post ${p.id}${p.changed ? ' (new or changed)' : ''} — ${p.title}`);
        const lines = (texts: string[], mark: string) => texts.forEach((t, i) => out(`  ${mark}[${i + 1}] ${t.replace(/\n/g, `\n  ${mark}    `)}`));
        if (p.previous) {
          lines(p.previous, '- ');
          lines(p.variants, '+ ');
        } else lines(p.variants, '');
      }
      out(v.mayReview ? `\nyou may approve it: zhimi campaign approve ${v.id} --version ${v.version}` : '\n(you may not review this version)');
    });

  for (const action of ['approve', 'reject'] as const) {
    campaign
      .command(`${action} <id>`)
      .description(`${action} the version you reviewed (never your own submission)`)
      .requiredOption('--version <n>', 'the version you reviewed (zhimi campaign review shows it)', intOption)
      .option('--reason <text>', action === 'reject' ? 'why (the drafter reads it; required)' : 'a note for the audit')
      .action(async (id: string, o: { version: number; reason?: string }) => {
        const r = await callApi<Wire<typeof ChangeResultView>>('POST', `/api/campaigns/${encodeURIComponent(id)}/${action}`, { version: o.version, ...(o.reason ? { reason: o.reason } : {}) });
        out(`${r.id}: ${r.status} (version ${r.version})${r.effect ? `; ${r.effect}` : ''}`);
      });
  }

  for (const action of ['pause', 'resume', 'cancel', 'run-now'] as const) {
    campaign
      .command(`${action} <id>`)
      .description(action === 'run-now' ? 'send a run of an approved campaign now (a one-off due time)' : `${action} a campaign`)
      .option('--reason <text>')
      .action(async (id: string, o: { reason?: string }) => {
        const r = await callApi<Wire<typeof ChangeResultView>>('POST', `/api/campaigns/${encodeURIComponent(id)}/${action}`, o.reason ? { reason: o.reason } : {});
        out(`${r.id}: ${r.status}${r.effect ? ` (${r.effect})` : ''}`);
      });
  }

  campaign
    .command('list')
    .description('the campaigns you may see, with their status')
    .action(async () => {
      const rows = await callApi<Wire<typeof CampaignSummary>[]>('GET', '/api/campaigns');
      out(formatRows(rows.map((r) => ({ id: r.id, name: r.name, status: r.status, version: r.version, submittedBy: r.submittedBy, approvedVersion: r.approvedVersion ?? '', approvedBy: r.approvedBy })), 'table'));
    });

  campaign
    .command('status <id>')
    .description('status, versions, audit trail and deliveries per run (planned / sent / failed / skipped / unknown)')
    .action(async (id: string) => {
      const s = await callApi<Wire<typeof CampaignStatusView>>('GET', `/api/campaigns/${encodeURIComponent(id)}`);
      out(`${s.id} — ${s.name}: ${s.status} (version ${s.version} submitted by ${s.submittedBy || '-'}; approved version ${s.approvedVersion ?? '-'} by ${s.approvedBy || '-'})`);
      for (const n of s.needsReview) out(`needs review: ${n} since its approval (not sent under it)`);
      out('\naudit trail');
      // texts people wrote are shown as one line each: a reason cannot fake a row
      const steps = [
        ...s.audit.map((a) => ({ at: a.at, by: a.actor.name, action: a.action.replace(/^campaign\./, ''), version: a.version ?? '', reason: a.reason ?? '' })),
        ...s.history.map((h) => ({ at: h.at, by: 'Zhimi', action: h.action, version: h.version ?? '', reason: h.reason ?? '' })),
      ].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
      out(formatRows(steps.map((x) => ({ ...x, at: shanghai(x.at), reason: JSON.stringify(x.reason).slice(1, -1) })), 'table'));
      out('\nruns');
      out(s.runs.length ? formatRows(s.runs.map(({ scheduledAt, ...r }) => ({ run: shanghai(scheduledAt), ...r })), 'table') : 'none yet');
      if (s.notSent.length) {
        out('\nnot sent, and why');
        out(formatRows(s.notSent.map(({ scheduledAt, ...n }) => ({ run: shanghai(scheduledAt), ...n })), 'table'));
      }
    });

  campaign
    .command('export <id>')
    .description('a version as YAML (the latest unless --version), to keep campaigns in git')
    .option('--version <n>', 'the version', intOption)
    .action(async (id: string, o: { version?: number }) => {
      process.stdout.write(await callApi<string>('GET', `/api/campaigns/${encodeURIComponent(id)}/yaml${o.version ? `?version=${o.version}` : ''}`));
    });
}
