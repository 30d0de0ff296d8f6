import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { shanghaiDay } from '../config/clock.js';
import { ConfigError } from '../config/errors.js';
import { requireSigner } from '../config/keys.js';
import { readLibrary } from '../content/library.js';
import type { Post } from '../content/post-schema.js';
import { loadCampaignFile, readCampaignText } from '../campaigns/campaign-files.js';
import type { CampaignDefinition } from '../campaigns/campaign-schema.js';
import { authorsSinceApproval, changeState, reviewVersion, submitVersion, versionChanges } from '../campaigns/campaign-service.js';
import { checkCampaign } from '../campaigns/validate-campaign.js';
import { dueTimes } from '../campaigns/next-due.js';
import { historySince, runTargets } from '../campaigns/plan-run.js';
import { resolveCampaignPosts } from '../campaigns/resolve-posts.js';
import { renderPost } from '../content/render.js';
import { clearDraft, getCampaign, getVersion, listCampaigns as listStored, listVersions, type CampaignEvent, type CampaignRecord, type CampaignVersion, type VersionPost } from '../store/campaigns-repo.js';
import { listGroups } from '../store/groups-repo.js';
import { listRuns } from '../store/runs-repo.js';
import { recentDeliveries, runOutcome } from '../outbox/outbox.js';
import type { DeliveryStatus } from '../shared/outbox-records.js';
import type { AuditEntry } from '../shared/audit-chain.js';
import { can, inScope, type Actor } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { AppError, forbidden, requireGrant } from './errors.js';
import { checkReason, listAudit, record } from './audit.js';

/**
 * Campaigns, as officers and reviewers use them: check a file, submit a
 * version, review it (approve or reject the version seen), pause, resume,
 * cancel or run it now, list them, and one campaign's status. Every action
 * is checked against the actor's roles and scope (once, in the lifecycle)
 * and audited; what runs is an approved version, sealed.
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
  const r = checkCampaign(cf.def, ctx.library(), ctx.content().ref, await listGroups(await ctx.store()), ctx.clock.now());
  return { id: cf.def.id, ...r };
}

async function existing(ctx: AppContext, actor: Actor, id: string): Promise<CampaignRecord> {
  const rec = await getCampaign(await ctx.store(), id);
  if (!rec) throw new AppError('ZHIMI_E_NOT_FOUND', `no campaign "${id}": see \`zhimi campaign list\``);
  requireGrant(actor, 'campaigns:read', { districts: rec.districts });
  return rec;
}


/** The posts a definition can send, as the library holds them now. */
function postsOf(ctx: AppContext, def: CampaignDefinition): Post[] {
  return resolveCampaignPosts(def, ctx.library()).posts;
}

export interface SubmitResult {
  id: string;
  status: string;
  version: number;
  submittedBy: string;
  /** Errors that stopped the submission (nothing was submitted). */
  errors: string[];
  warnings: string[];
}

/**
 * Submit a campaign (its YAML text, from a file or the console's editor) as
 * a new version: the definition and the content hash of every post it can
 * send, frozen for review. The actor must be a drafter whose scope covers
 * the audience.
 */
export async function submitCampaign(ctx: AppContext, actor: Actor, o: { yaml: string; source?: string | undefined; reason?: string | undefined }): Promise<SubmitResult> {
  const reason = checkReason(o.reason);
  const read = readCampaignText(o.yaml, o.source ?? 'the submitted campaign');
  if (!read.ok) throw new ConfigError(read.problems);
  const cf = read.value;
  const check = checkCampaign(cf.def, ctx.library(), ctx.content().ref, await listGroups(await ctx.store()), ctx.clock.now());
  if (check.errors.length) return { id: cf.def.id, status: 'not submitted', version: 0, submittedBy: actor.id, errors: check.errors, warnings: check.warnings };
  const posts = postsOf(ctx, cf.def).map((p) => ({ id: p.id, hash: p.contentHash, title: p.title, variants: p.variants }));
  const { record: rec, version } = await submitVersion(await ctx.store(), { definition: cf.def, posts, actor, now: ctx.clock.now(), reason, source: o.source });
  await record(ctx, actor, 'campaign.submit', { kind: 'campaign', id: rec._id }, { version: version.version, ...(reason ? { reason } : {}), details: { definitionHash: version.definitionHash, posts: posts.length } });
  await clearDraft(await ctx.store(), rec._id);
  return { id: rec._id, status: rec.status, version: version.version, submittedBy: actor.id, errors: [], warnings: check.warnings };
}

export interface ChangeResult {
  id: string;
  status: string;
  version: number;
  /** What happens to its planned posts now. */
  effect?: string;
}

/** What a lifecycle action does to posts already planned (workers read paused and cancelled campaigns every second). */
const AFTER: Record<string, string> = {
  approve: 'workers run this version at its next due time (within about 15 s of the approval for a due time already reached)',
  reject: 'it goes back to its drafter',
  pause: 'its posts not yet sent wait until it is resumed; workers notice within about a second',
  resume: 'its held posts go out again',
  cancel: 'its posts not yet sent are skipped; workers notice within about a second',
  'run-now': 'workers send a run now (within about 15 s)',
};

/** Approve or reject the version the reviewer saw (a version no longer under review is refused with what changed); never one's own. */
export async function reviewCampaign(ctx: AppContext, actor: Actor, id: string, o: { version: number; approve: boolean; reason?: string | undefined }): Promise<ChangeResult> {
  const reason = checkReason(o.reason);
  // the roles and scope first: one who may not review is told so, not that the campaign is in the wrong state for it
  requireGrant(actor, 'campaigns:review', { districts: (await existing(ctx, actor, id)).districts });
  if (!o.approve && !reason) throw new ConfigError([{ file: 'request', field: 'reason', message: 'a rejection needs a reason: the drafter reads it' }]);
  const { record: rec } = await reviewVersion(await ctx.store(), { id, version: o.version, actor, now: ctx.clock.now(), approve: o.approve, reason, signer: o.approve ? requireSigner(ctx.keys(), 'api') : undefined });
  const action = o.approve ? 'approve' : 'reject';
  await record(ctx, actor, `campaign.${action}`, { kind: 'campaign', id }, { version: o.version, ...(reason ? { reason } : {}) });
  return { id, status: rec.status, version: o.version, effect: AFTER[action]! };
}

/** Pause, resume, cancel or run a campaign now (a publisher whose scope covers it). */
export async function changeCampaign(ctx: AppContext, actor: Actor, id: string, action: 'pause' | 'resume' | 'cancel' | 'run-now', reason?: string): Promise<ChangeResult> {
  const why = checkReason(reason);
  requireGrant(actor, 'campaigns:publish', { districts: (await existing(ctx, actor, id)).districts });
  const rec = await changeState(await ctx.store(), id, action, actor, ctx.clock.now(), why);
  await record(ctx, actor, `campaign.${action}`, { kind: 'campaign', id }, { version: rec.approvedVersion ?? rec.version, ...(why ? { reason: why } : {}) });
  return { id, status: rec.status, version: rec.approvedVersion ?? rec.version, effect: AFTER[action]! };
}

export interface CampaignSummary {
  id: string;
  name: string;
  status: string;
  version: number;
  submittedBy: string;
  approvedVersion: number | null;
  approvedBy: string;
  districts: string[];
  priority: string;
  /** Its last change (a submission, a review, a pause …): how long a version has waited for review. */
  updatedAt?: Date | undefined;
}

const summary = (r: CampaignRecord): CampaignSummary => ({
  id: r._id, name: r.name, status: r.status, version: r.version, submittedBy: r.submittedBy ?? '', approvedVersion: r.approvedVersion ?? null, approvedBy: r.approvedBy ?? '', districts: r.districts, priority: r.priority, updatedAt: r.updatedAt,
});

/** The campaigns the actor may see (their scope's), with their status. */
export async function listCampaigns(ctx: AppContext, actor: Actor): Promise<CampaignSummary[]> {
  if (!can(actor, 'campaigns:read').ok) throw forbidden(can(actor, 'campaigns:read').ok ? '' : `${actor.name} may not see campaigns`);
  return (await listStored(await ctx.store())).filter((r) => inScope(actor.scope, { districts: r.districts })).map(summary);
}

export interface CampaignStatus extends CampaignSummary {
  /** People's actions on it (the audit, newest first), and the scheduler's own steps. */
  audit: AuditEntry[];
  history: CampaignEvent[];
  versions: { version: number; submittedBy: string; submittedAt: Date; approval?: { by: string; at: Date }; rejection?: { by: string; at: Date; reason: string } }[];
  /** Posts of the approved version that changed or went since it was approved: not sent under that approval. */
  needsReview: string[];
  runs: ({ scheduledAt: Date; day: string; plan: 'complete' | 'in progress' } & Record<DeliveryStatus, number>)[];
  notSent: { scheduledAt: Date; status: DeliveryStatus; reason: string; deliveries: number }[];
}

/** A campaign's status, versions, audit trail, deliveries per run, and the posts not sent with their reasons. */
export async function campaignStatus(ctx: AppContext, actor: Actor, id: string): Promise<CampaignStatus> {
  const rec = await existing(ctx, actor, id);
  const store = await ctx.store();
  const runs: CampaignStatus['runs'] = [];
  const notSent: CampaignStatus['notSent'] = [];
  // a plan not complete yet is being written, or its planner died and another worker finishes it
  for (const r of await listRuns(store, id)) {
    const { counts, notSent: why } = await runOutcome(store, r._id);
    runs.push({ scheduledAt: r.scheduledAt, day: shanghaiDay(r.scheduledAt), plan: r.plannedAt ? 'complete' : 'in progress', ...counts });
    for (const n of why) notSent.push({ scheduledAt: r.scheduledAt, ...n });
  }
  const versions = await listVersions(store, id);
  const approved = versions.find((v) => v.version === rec.approvedVersion);
  return {
    ...summary(rec),
    audit: await listAudit(ctx, actor, { target: { kind: 'campaign', id } }),
    history: rec.history,
    versions: versions.map((v) => ({ version: v.version, submittedBy: v.submittedBy, submittedAt: v.submittedAt, ...(v.approval ? { approval: { by: v.approval.by, at: v.approval.at } } : {}), ...(v.rejection ? { rejection: v.rejection } : {}) })),
    needsReview: approved ? changedPosts(ctx, approved) : [],
    runs,
    notSent,
  };
}

/**
 * How the library differs from what a version froze: posts changed or gone,
 * and posts its `posts:` list or query would pick now that it did not then.
 * None of them is sent under that version's approval.
 */
function changedPosts(ctx: AppContext, v: CampaignVersion): string[] {
  const now = new Map(ctx.library().map((p) => [p.id, p.contentHash]));
  const frozen = new Set(v.posts.map((p) => p.id));
  const added = postsOf(ctx, v.definition as unknown as CampaignDefinition).filter((p) => !frozen.has(p.id)).map((p) => `post ${p.id} added`);
  return [...v.posts.flatMap((p) => (!now.has(p.id) ? [`post ${p.id} is gone from the library`] : now.get(p.id) !== p.hash ? [`post ${p.id} changed`] : [])), ...added];
}

export interface VersionReview {
  id: string;
  version: number;
  status: string;
  submittedBy: string;
  submittedAt: Date;
  reason?: string | undefined;
  /** The definition as submitted, and as YAML. */
  definition: Record<string, unknown>;
  yaml: string;
  /** What changed against the approved version (everything, for a first version). */
  changes: string[];
  /** Every post text it can send, each variant as a sample group of each audience would get it. */
  /** Its posts as it froze them; a changed one with its texts as the approved version froze them. */
  posts: { id: string; title: string; changed: boolean; variants: string[]; previous?: string[] }[];
  /** The actor may approve or reject it (a reviewer whose scope covers it, who did not submit it). */
  mayReview: boolean;
}

/** One version as a reviewer sees it: the definition, what changed since the approved version, and every post text it can send. */
export async function reviewView(ctx: AppContext, actor: Actor, id: string, version: number): Promise<VersionReview> {
  const rec = await existing(ctx, actor, id);
  const store = await ctx.store();
  const v = await getVersion(store, id, version);
  if (!v) throw new AppError('ZHIMI_E_NOT_FOUND', `campaign ${id} has no version ${version} (its versions: 1–${rec.version})`);
  const approved = rec.approvedVersion ? await getVersion(store, id, rec.approvedVersion) : undefined;
  const before = new Map((approved?.posts ?? []).map((p) => [p.id, p]));
  const library = new Map(ctx.library().map((p) => [p.id, p]));
  const ref = ctx.content().ref;
  const sample = { district: ref.districts[0]!.name, station: ref.districts[0]!.stations[0], segments: [] };
  // the texts as the version froze them, filled in for a sample group (a version older than the snapshot of texts: the library's)
  const texts = (p: VersionPost): string[] | undefined => {
    const post = library.get(p.id);
    const variants = p.variants ?? (post?.contentHash === p.hash ? post.variants : undefined);
    return post && variants ? variants.map((_, i) => renderPost({ ...post, variants }, i, sample, ref)) : variants;
  };
  const posts = v.posts.map((p) => {
    const was = before.get(p.id);
    const changed = was?.hash !== p.hash;
    const previous = changed && was ? texts(was) : undefined;
    return { id: p.id, title: p.title ?? library.get(p.id)?.title ?? '(no longer in the library)', changed, variants: texts(p) ?? [], ...(previous ? { previous } : {}) };
  });
  const review = can(actor, 'campaigns:review', { districts: rec.districts });
  return {
    id, version, status: rec.version === version ? rec.status : v.approval ? 'approved earlier' : v.rejection ? 'rejected' : 'superseded',
    submittedBy: v.submittedBy, submittedAt: v.submittedAt, reason: v.reason, definition: v.definition, yaml: toYaml(v.definition),
    changes: approved && approved.version !== version ? versionChanges(approved, v) : approved ? [] : ['a first version: everything is new'],
    posts, mayReview: review.ok && rec.status === 'submitted' && rec.version === version && !(await authorsSinceApproval(store, rec)).includes(actor.id),
  };
}

/** Versions waiting for the actor's review: submitted, in their scope, none of it written by them. */
export async function reviewInbox(ctx: AppContext, actor: Actor): Promise<CampaignSummary[]> {
  if (!can(actor, 'campaigns:review').ok) return [];
  const store = await ctx.store();
  const waiting: CampaignSummary[] = [];
  for (const r of await listStored(store, ['submitted'])) {
    if (inScope(actor.scope, { districts: r.districts }) && !(await authorsSinceApproval(store, r)).includes(actor.id)) waiting.push(summary(r));
  }
  return waiting;
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

/**
 * Next run times, groups per segment and district, and the post each group
 * would get; sends nothing. By id (the latest version) or a campaign file.
 */
export async function previewCampaign(ctx: AppContext, actor: Actor, idOrFile: string, days: number): Promise<CampaignPreview> {
  const def = /\.ya?ml$/.test(idOrFile) ? loadCampaignFile(idOrFile).def : await latestDefinition(ctx, actor, idOrFile);
  requireGrant(actor, 'campaigns:read', { districts: def.audience.districts });
  const now = ctx.clock.now();
  const times = dueTimes(def, now, 50, new Date(now.getTime() + days * 86_400_000));
  const preview: CampaignPreview = { id: def.id, name: def.name, dueTimes: times };
  const first = times[0];
  if (!first) return preview;
  const store = await ctx.store();
  const groups = (await listGroups(store)).filter((g) => inScope(actor.scope, { district: g.district, station: g.station }));
  const plan = runTargets({ campaign: def, library: ctx.library(), groups, history: await recentDeliveries(store, historySince(def, first), first), now: first, fleet: ctx.fleet() });
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

async function latestDefinition(ctx: AppContext, actor: Actor, id: string): Promise<CampaignDefinition> {
  const rec = await existing(ctx, actor, id);
  const v = rec.version ? await getVersion(await ctx.store(), id, rec.version) : undefined;
  if (!v) throw new AppError('ZHIMI_E_NOT_FOUND', `campaign ${id} has no submitted version yet`);
  return v.definition as unknown as CampaignDefinition;
}

/** A version (the latest unless named) as YAML, to keep campaigns in git. */
export async function exportCampaign(ctx: AppContext, actor: Actor, id: string, version?: number): Promise<string> {
  const rec = await existing(ctx, actor, id);
  const v = await getVersion(await ctx.store(), id, version ?? rec.version);
  if (!v) throw new AppError('ZHIMI_E_NOT_FOUND', `campaign ${id} has no version ${version ?? rec.version}`);
  return toYaml(v.definition);
}
