import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { shanghaiDay, systemClock } from '../config/clock.js';
import { readLibrary } from '../content/library.js';
import { loadCampaignFile, type CampaignFile } from '../campaigns/campaign-files.js';
import type { CampaignDefinition } from '../campaigns/campaign-schema.js';
import { ConfigError } from '../config/errors.js';
import type { Store } from '../store/connection.js';
import { actorOf, submitCampaign, syncWithFile, transition } from '../campaigns/campaign-service.js';
import { checkCampaign } from '../campaigns/validate-campaign.js';
import { dueTimes } from '../campaigns/next-due.js';
import { planTargets } from '../campaigns/plan-targets.js';
import { resolveCampaignPosts } from '../campaigns/resolve-posts.js';
import type { CampaignAction } from '../campaigns/lifecycle.js';
import { getCampaign, listCampaigns } from '../store/campaigns-repo.js';
import { listGroups } from '../store/groups-repo.js';
import { recentDeliveries, runOutcome } from '../outbox/outbox.js';
import { listRuns } from '../store/runs-repo.js';
import { formatRows, type Row } from '../reports/format.js';
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';

const out = (s: string): void => void process.stdout.write(s + '\n');
/** What a lifecycle action does to posts already planned (workers read paused and cancelled campaigns every second). */
const AFTER: Partial<Record<CampaignAction, string>> = {
  pause: 'its posts not yet sent wait until it is resumed; workers notice within about a second',
  resume: 'its held posts go out again',
  cancel: 'its posts not yet sent are skipped; workers notice within about a second',
};
const shanghai = (d: Date): string => d.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);

export function registerContentCommands(program: Command, ctx: () => CliContext): void {
  const content = program.command('content').description('the reviewed content library');
  content
    .command('lint')
    .description('check every post: front matter, audiences, scam types, links, images, variants, length')
    .option('--dir <dir>', 'content folder (holds posts/ and scam-types.yaml)')
    .option('--posts <dir>', 'posts folder to check instead of <dir>/posts')
    .action((o: { dir?: string; posts?: string }) => {
      const dir = o.dir ?? ctx().contentDir;
      const { posts, problems } = readLibrary(dir, o.posts ?? join(dir, 'posts'));
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

export function registerCampaignCommands(program: Command, ctx: () => CliContext): void {
  const campaign = program.command('campaign').description('campaigns: validate, preview, approve, run status');
  const fileOf = (c: CliContext, idOrFile: string): string => (/\.ya?ml$/.test(idOrFile) ? idOrFile : join(c.contentDir, 'campaigns', `${idOrFile}.yaml`));
  /** The campaign file workers watch for edits, when it is there. */
  const watchedFile = (c: CliContext, id: string): CampaignFile | undefined => {
    const file = fileOf(c, id);
    return existsSync(file) ? loadCampaignFile(file) : undefined;
  };
  /**
   * A campaign by id (or file): its file, else what was submitted to the database (a campaign submitted from a
   * file elsewhere, or whose file was removed, still runs, and is previewed, paused or cancelled by id).
   */
  const definitionOf = async (c: CliContext, store: Store, idOrFile: string): Promise<CampaignDefinition> => {
    const cf = watchedFile(c, idOrFile);
    if (cf) return cf.def;
    const rec = /\.ya?ml$/.test(idOrFile) ? undefined : await getCampaign(store, idOrFile);
    if (!rec) throw new ConfigError([{ file: fileOf(c, idOrFile), field: '', message: `no such campaign file, and no campaign "${idOrFile}" in the database: give a campaign id or file` }]);
    return rec.definition as unknown as CampaignDefinition;
  };

  campaign
    .command('validate <file>')
    .description('schema, referenced posts, cron, and whether the selector matches registered groups')
    .action(async (file: string) => {
      const c = ctx();
      const cf = loadCampaignFile(file);
      const d = await c.db();
      try {
        const r = checkCampaign(cf.def, c.library(), c.content().ref, await listGroups(d.store));
        for (const e of r.errors) out(`${file}: error: ${e}`);
        for (const w of r.warnings) out(`${file}: warning: ${w}`);
        if (r.errors.length) process.exitCode = EXIT.findings;
        else out(`ok: ${cf.def.id} targets ${r.targeted} group(s) now`);
      } finally {
        await d.close();
      }
    });

  campaign
    .command('preview <id>')
    .description('next run times, groups per segment and district, and the post each group would get; sends nothing')
    .option('--days <n>', 'how far ahead', (v) => Number(v), 7)
    .action(async (id: string, o: { days: number }) => {
      const c = ctx();
      const d = await c.db();
      try {
        const def = await definitionOf(c, d.store, id);
        const now = systemClock.now();
        const times = dueTimes(def, now, 50, new Date(now.getTime() + o.days * 86_400_000));
        out(`${def.id} — ${def.name}`);
        out(`runs in the next ${o.days} days (Asia/Shanghai): ${times.length ? times.map(shanghai).join(', ') : 'none'}`);
        const first = times[0];
        if (!first) return;
        const fleet = c.fleet();
        const { posts } = resolveCampaignPosts(def, c.library());
        const since = new Date(first.getTime() - Math.max(def.caps.repeatPostAfterDays, 1) * 86_400_000);
        const plan = planTargets({
          groups: await listGroups(d.store), campaign: def, posts, history: await recentDeliveries(d.store, since, first), now: first,
          quietHours: { elderly: def.quietHours?.elderly ?? fleet.quietHours.elderly, default: def.quietHours?.default ?? fleet.quietHours.default },
        });
        const counts = new Map<string, Row>();
        for (const t of plan.targets) {
          const key = `${t.group.district}|${t.group.segments.join(',')}`;
          const r = counts.get(key) ?? { district: t.group.district ?? '', segments: t.group.segments.join(','), groups: 0 };
          r['groups'] = Number(r['groups']) + 1;
          counts.set(key, r);
        }
        out(`\nfirst run ${shanghai(first)}: ${plan.targets.length} group(s), ${plan.skipped.length} skipped`);
        out(formatRows([...counts.values()], 'table'));
        out('');
        out(formatRows(plan.targets.map((t) => ({ group: t.group.topic, post: t.post.id, variant: t.variant + 1, notBefore: shanghai(t.notBefore) })), 'table'));
        for (const s of plan.skipped) out(`skipped ${s.group.topic}: ${s.reason}`);
      } finally {
        await d.close();
      }
    });

  campaign
    .command('submit <file>')
    .description('submit a campaign file for approval (you become its author)')
    .requiredOption('--as <user>', 'officer id from bots/fleet.yaml')
    .option('--reason <text>')
    .action(async (file: string, o: { as: string; reason?: string }) => {
      const c = ctx();
      const cf = loadCampaignFile(file);
      const check = checkCampaign(cf.def, c.library(), c.content().ref, []);
      if (check.errors.length) {
        for (const e of check.errors) out(`${file}: error: ${e}`);
        process.exitCode = EXIT.findings;
        return;
      }
      const d = await c.db();
      try {
        const rec = await submitCampaign(d.store, cf, actorOf(c.fleet(), o.as), systemClock.now(), o.reason);
        out(`${rec._id}: ${rec.status} (author ${rec.author}, version ${rec.version}); an approver must approve it: zhimi campaign approve ${rec._id} --as <approver>`);
        const watched = fileOf(c, rec._id);
        if (resolve(file) !== resolve(watched)) {
          out(`note: workers watch ${watched} for edits after approval; ${file} is not that file, so the version submitted now is what runs until it is submitted again`);
        }
      } finally {
        await d.close();
      }
    });

  for (const action of ['approve', 'pause', 'resume', 'cancel'] as const) {
    campaign
      .command(`${action} <id>`)
      .description(`${action} a campaign`)
      .requiredOption('--as <user>', 'officer id from bots/fleet.yaml')
      .option('--reason <text>')
      .action(async (id: string, o: { as: string; reason?: string }) => {
        const c = ctx();
        const d = await c.db();
        try {
          // an edit of the watched file since approval sends it back to submitted first; without a file that loads, the
          // database's version stands (as for workers: a file half-way through an edit must not block a pause or cancel)
          let cf: CampaignFile | undefined;
          try {
            cf = watchedFile(c, id);
          } catch (err) {
            if (!(err instanceof ConfigError)) throw err;
            out(`note: ${err.message.split('\n')[0]}; ${action} applies to the version in the database`);
          }
          if (cf?.def.id === id) await syncWithFile(d.store, cf, systemClock.now());
          const rec = await transition(d.store, id, action as CampaignAction, actorOf(c.fleet(), o.as), systemClock.now(), o.reason);
          out(`${rec._id}: ${rec.status}${AFTER[action] ? ` (${AFTER[action]})` : ''}`);
        } finally {
          await d.close();
        }
      });
  }

  campaign
    .command('list')
    .description('campaigns in the database with their status')
    .action(async () => {
      const c = ctx();
      const d = await c.db();
      try {
        const rows = (await listCampaigns(d.store)).map((r) => ({ id: r._id, name: r.name, status: r.status, author: r.author ?? '', approvedBy: r.approvedBy ?? '', version: r.version }));
        out(formatRows(rows, 'table'));
      } finally {
        await d.close();
      }
    });

  campaign
    .command('status <id>')
    .description('status, audit trail and deliveries per run (planned / sent / failed / skipped / unknown)')
    .action(async (id: string) => {
      const c = ctx();
      const d = await c.db();
      try {
        const rec = await getCampaign(d.store, id);
        if (!rec) {
          out(`no campaign "${id}" in the database`);
          process.exitCode = EXIT.config;
          return;
        }
        out(`${rec._id} — ${rec.name}: ${rec.status} (author ${rec.author ?? '-'}, approved by ${rec.approvedBy ?? '-'}, version ${rec.version})`);
        out('\naudit trail');
        out(formatRows(rec.audit.map((a) => ({ at: shanghai(a.at), by: a.by, action: a.action, from: a.from, to: a.to, reason: a.reason ?? '' })), 'table'));
        const runs = await listRuns(d.store, id);
        const rows: Row[] = [];
        const why: Row[] = [];
        // a plan not complete yet is being written, or its planner died and another worker finishes it
        for (const r of runs) {
          const { counts, notSent } = await runOutcome(d.store, r._id);
          rows.push({ run: shanghai(r.scheduledAt), day: shanghaiDay(r.scheduledAt), plan: r.plannedAt ? 'complete' : 'in progress', ...counts });
          for (const n of notSent) why.push({ run: shanghai(r.scheduledAt), status: n.status, deliveries: n.deliveries, reason: n.reason });
        }
        out('\nruns');
        out(rows.length ? formatRows(rows, 'table') : 'none yet');
        if (why.length) {
          out('\nnot sent, and why');
          out(formatRows(why, 'table'));
        }
      } finally {
        await d.close();
      }
    });
}
