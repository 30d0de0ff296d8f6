import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { shanghaiDay } from '../config/clock.js';
import { ConfigError } from '../config/errors.js';
import { readLibrary } from '../content/library.js';
import { loadCampaignFile, type CampaignFile } from '../campaigns/campaign-files.js';
import type { CampaignDefinition } from '../campaigns/campaign-schema.js';
import { submitCampaign as submitToStore, syncWithFile, transition } from '../campaigns/campaign-service.js';
import { checkCampaign } from '../campaigns/validate-campaign.js';
import { dueTimes } from '../campaigns/next-due.js';
import { historySince, runTargets } from '../campaigns/plan-run.js';
import type { Actor, CampaignAction } from '../campaigns/lifecycle.js';
import { getCampaign, listCampaigns as listStored, type AuditEntry } from '../store/campaigns-repo.js';
import { listGroups } from '../store/groups-repo.js';
import { listRuns } from '../store/runs-repo.js';
import { recentDeliveries, runOutcome } from '../outbox/outbox.js';
import type { DeliveryStatus } from '../shared/outbox-records.js';
import type { AppContext } from './context.js';
import { NotFoundError } from './errors.js';

/**
 * Campaigns, as officers and reviewers use them: check a file, preview a
 * campaign, submit it, approve, pause, resume or cancel it, list them, and
 * one campaign's status. One function per use case; each takes plain inputs
 * (and the acting user) and returns plain data; the faces format it.
 */

/** A content folder's post library, checked: the posts, and every problem with file, line and field. */
export function lintContent(ctx: AppContext, o: { dir?: string | undefined; postsDir?: string | undefined } = {}): ReturnType<typeof readLibrary> {
  const dir = o.dir ?? ctx.contentDir;
  return readLibrary(dir, o.postsDir ?? join(dir, 'posts'));
}

export interface CampaignValidation {
  id: string;
  errors: string[];
  warnings: string[];
  /** Registered, tagged groups the selector matches now. */
  targeted: number;
}

/** Check a campaign file: schema and cron (a ConfigError with file, line and field), posts, districts, and whether it targets any group. */
export async function validateCampaign(ctx: AppContext, file: string): Promise<CampaignValidation> {
  const cf = loadCampaignFile(file);
  const r = checkCampaign(cf.def, ctx.library(), ctx.content().ref, await listGroups(await ctx.store()));
  return { id: cf.def.id, ...r };
}

export interface CampaignPreview {
  id: string;
  name: string;
  /** Due times (Asia/Shanghai instants) within the period asked for. */
  dueTimes: Date[];
  /** The first run: groups per district and segment, the post each group would get, and those left out with why. */
  first?: {
    at: Date;
    byArea: { district: string; segments: string; groups: number }[];
    targets: { group: string; post: string; variant: number; notBefore: Date }[];
    skipped: { group: string; reason: string }[];
  };
}

/** Next run times, groups per segment and district, and the post each group would get; sends nothing. */
export async function previewCampaign(ctx: AppContext, idOrFile: string, days: number): Promise<CampaignPreview> {
  const def = await definitionOf(ctx, idOrFile);
  const now = ctx.clock.now();
  const times = dueTimes(def, now, 50, new Date(now.getTime() + days * 86_400_000));
  const preview: CampaignPreview = { id: def.id, name: def.name, dueTimes: times };
  const first = times[0];
  if (!first) return preview;
  const store = await ctx.store();
  const plan = runTargets({
    campaign: def, library: ctx.library(), groups: await listGroups(store), history: await recentDeliveries(store, historySince(def, first), first), now: first, fleet: ctx.fleet(),
  });
  const byArea = new Map<string, { district: string; segments: string; groups: number }>();
  for (const t of plan.targets) {
    const row = { district: t.group.district ?? '', segments: t.group.segments.join(','), groups: 0 };
    const key = `${row.district}|${row.segments}`;
    (byArea.get(key) ?? byArea.set(key, row).get(key)!).groups++;
  }
  preview.first = {
    at: first,
    byArea: [...byArea.values()],
    targets: plan.targets.map((t) => ({ group: t.group.topic, post: t.post.id, variant: t.variant + 1, notBefore: t.notBefore })),
    skipped: plan.skipped.map((s) => ({ group: s.group.topic, reason: s.reason })),
  };
  return preview;
}

export interface SubmitResult {
  id: string;
  status: string;
  author: string;
  version: number;
  /** Errors that stopped the submission (nothing was submitted). */
  errors: string[];
  /** The file workers watch for edits, when the one submitted is another (what was submitted runs until it is submitted again). */
  notWatched?: string;
}

/** Submit a campaign file for approval; the actor becomes its author. */
export async function submitCampaign(ctx: AppContext, actor: Actor, file: string, reason?: string): Promise<SubmitResult> {
  const cf = loadCampaignFile(file);
  const check = checkCampaign(cf.def, ctx.library(), ctx.content().ref, []);
  if (check.errors.length) return { id: cf.def.id, status: 'not submitted', author: actor.id, version: 0, errors: check.errors };
  const rec = await submitToStore(await ctx.store(), cf, actor, ctx.clock.now(), reason);
  const watched = watchedPath(ctx, rec._id);
  return {
    id: rec._id, status: rec.status, author: rec.author ?? actor.id, version: rec.version, errors: [],
    ...(resolve(file) !== resolve(watched) ? { notWatched: watched } : {}),
  };
}

/** What a lifecycle action does to posts already planned (workers read paused and cancelled campaigns every second). */
const AFTER: Partial<Record<CampaignAction, string>> = {
  pause: 'its posts not yet sent wait until it is resumed; workers notice within about a second',
  resume: 'its held posts go out again',
  cancel: 'its posts not yet sent are skipped; workers notice within about a second',
};

export interface ChangeResult {
  id: string;
  status: string;
  /** What happens to its planned posts now. */
  effect?: string;
  /** Its watched file did not load: the action applied to the version in the database. */
  fileNote?: string;
}

/**
 * Approve, pause, resume or cancel a campaign as the actor. An edit of the
 * watched file since approval sends it back to submitted first; without a
 * file that loads, the database's version stands (as for workers: a file
 * half-way through an edit must not block a pause or cancel).
 */
export async function changeCampaign(ctx: AppContext, actor: Actor, id: string, action: 'approve' | 'pause' | 'resume' | 'cancel', reason?: string): Promise<ChangeResult> {
  const store = await ctx.store();
  let cf: CampaignFile | undefined;
  let fileNote: string | undefined;
  try {
    cf = watchedFile(ctx, id);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    fileNote = `${err.message.split('\n')[0]}; ${action} applies to the version in the database`;
  }
  if (cf?.def.id === id) await syncWithFile(store, cf, ctx.clock.now());
  const rec = await transition(store, id, action, actor, ctx.clock.now(), reason);
  return { id: rec._id, status: rec.status, ...(AFTER[action] ? { effect: AFTER[action] } : {}), ...(fileNote ? { fileNote } : {}) };
}

export interface CampaignSummary {
  id: string;
  name: string;
  status: string;
  author: string;
  approvedBy: string;
  version: number;
}

/** Campaigns in the database with their status. */
export async function listCampaigns(ctx: AppContext): Promise<CampaignSummary[]> {
  return (await listStored(await ctx.store())).map((r) => ({ id: r._id, name: r.name, status: r.status, author: r.author ?? '', approvedBy: r.approvedBy ?? '', version: r.version }));
}

export interface CampaignStatus extends CampaignSummary {
  audit: AuditEntry[];
  runs: ({ scheduledAt: Date; day: string; plan: 'complete' | 'in progress' } & Record<DeliveryStatus, number>)[];
  notSent: { scheduledAt: Date; status: DeliveryStatus; reason: string; deliveries: number }[];
}

/** A campaign's status, audit trail, deliveries per run, and the posts not sent with their reasons. */
export async function campaignStatus(ctx: AppContext, id: string): Promise<CampaignStatus> {
  const store = await ctx.store();
  const rec = await getCampaign(store, id);
  if (!rec) throw new NotFoundError(`no campaign "${id}" in the database: see \`zhimi campaign list\``);
  const runs: CampaignStatus['runs'] = [];
  const notSent: CampaignStatus['notSent'] = [];
  // a plan not complete yet is being written, or its planner died and another worker finishes it
  for (const r of await listRuns(store, id)) {
    const { counts, notSent: why } = await runOutcome(store, r._id);
    runs.push({ scheduledAt: r.scheduledAt, day: shanghaiDay(r.scheduledAt), plan: r.plannedAt ? 'complete' : 'in progress', ...counts });
    for (const n of why) notSent.push({ scheduledAt: r.scheduledAt, ...n });
  }
  return { id: rec._id, name: rec.name, status: rec.status, author: rec.author ?? '', approvedBy: rec.approvedBy ?? '', version: rec.version, audit: rec.audit, runs, notSent };
}

const isFile = (idOrFile: string): boolean => /\.ya?ml$/.test(idOrFile);

/** The campaign file workers watch for a campaign id (or the file given). */
function watchedPath(ctx: AppContext, idOrFile: string): string {
  return isFile(idOrFile) ? idOrFile : join(ctx.contentDir, 'campaigns', `${idOrFile}.yaml`);
}

/** The campaign file workers watch for edits, when it is there. */
function watchedFile(ctx: AppContext, id: string): CampaignFile | undefined {
  const file = watchedPath(ctx, id);
  return existsSync(file) ? loadCampaignFile(file) : undefined;
}

/**
 * A campaign by id (or file): its file, else what was submitted to the
 * database (a campaign submitted from a file elsewhere, or whose file was
 * removed, still runs, and is previewed, paused or cancelled by id).
 */
async function definitionOf(ctx: AppContext, idOrFile: string): Promise<CampaignDefinition> {
  const cf = watchedFile(ctx, idOrFile);
  if (cf) return cf.def;
  const rec = isFile(idOrFile) ? undefined : await getCampaign(await ctx.store(), idOrFile);
  if (!rec) throw new ConfigError([{ file: watchedPath(ctx, idOrFile), field: '', message: `no such campaign file, and no campaign "${idOrFile}" in the database: give a campaign id or file` }]);
  return rec.definition as unknown as CampaignDefinition;
}
