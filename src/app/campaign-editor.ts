import { stringify as toYaml } from 'yaml';
import { readCampaignText } from '../campaigns/campaign-files.js';
import { districtsOf } from '../campaigns/campaign-service.js';
import { CAMPAIGN_ID, type CampaignDefinition } from '../campaigns/campaign-schema.js';

export { CAMPAIGN_ID };
import { checkCampaign } from '../campaigns/validate-campaign.js';
import { dueTimes } from '../campaigns/next-due.js';
import { resolveCampaignPosts } from '../campaigns/resolve-posts.js';
import { selectGroups } from '../audience/select-groups.js';
import { getCampaign, saveDraft } from '../store/campaigns-repo.js';
import { listGroups } from '../store/groups-repo.js';
import { can, inScope, type Actor } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { AppError, requireGrant } from './errors.js';
import { record } from './audit.js';

/**
 * The console's campaign editor: a form builds a campaign definition (the
 * same shape as a campaign file); this checks it as `zhimi campaign
 * validate` checks a file — with the same messages, by field — and says
 * whom it would reach and when. Drafts are kept with the campaign until
 * submitted; they are never reviewed or run.
 */

/** A problem the form shows next to the field it names (`audience.districts`, `schedule.cron` …; empty: the whole campaign). */
export interface FieldProblem {
  field: string;
  message: string;
}

export interface DefinitionCheck {
  /** No errors: it can be submitted. */
  ok: boolean;
  errors: FieldProblem[];
  warnings: string[];
  /** The active groups it targets now (the actor's scope), and their members, by district. */
  audience: { groups: number; members: number; byDistrict: { district: string; groups: number; members: number }[] };
  /** The next five due times (instants; shown in Asia/Shanghai). */
  dueTimes: Date[];
  /** Quiet hours that hold its posts back, per kind of group it targets. */
  quietHours: { applies: 'elderly' | 'default'; from: string; to: string }[];
  /** The posts it can send now. */
  posts: { id: string; title: string }[];
}

/** The YAML text of a definition (what `zhimi campaign export` gives and a campaign file holds). */
export function definitionYaml(definition: unknown): string {
  return toYaml(definition, { lineWidth: 0 });
}

/** A field problem from a line of `checkCampaign` (`audience.districts: unknown district …`). */
function problemOf(line: string): FieldProblem {
  const m = /^([a-zA-Z][\w.]*): (.*)$/s.exec(line);
  return m ? { field: m[1]!, message: m[2]! } : { field: '', message: line };
}

const emptyCheck = (errors: FieldProblem[]): DefinitionCheck => ({ ok: false, errors, warnings: [], audience: { groups: 0, members: 0, byDistrict: [] }, dueTimes: [], quietHours: [], posts: [] });

/** Check a definition from the editor: schema, cron, posts, districts, the actor's scope; whom it reaches and when. */
export async function checkDefinition(ctx: AppContext, actor: Actor, definition: unknown): Promise<DefinitionCheck> {
  requireGrant(actor, 'campaigns:draft');
  const read = readCampaignText(definitionYaml(definition), 'campaign');
  if (!read.ok) return emptyCheck(read.problems.map((p) => ({ field: p.field, message: p.message })));
  const def = read.value.def;
  const store = await ctx.store();
  const now = ctx.clock.now();
  const groups = await listGroups(store);
  const check = checkCampaign(def, ctx.library(), ctx.content().ref, groups, now);
  const errors = check.errors.map(problemOf);
  const scope = can(actor, 'campaigns:draft', { districts: districtsOf(def) });
  if (!scope.ok) errors.push({ field: 'audience.districts', message: scope.why });
  const targeted = selectGroups(groups.filter((g) => inScope(actor.scope, { district: g.district, station: g.station })), def.audience);
  const byDistrict = new Map<string, { district: string; groups: number; members: number }>();
  for (const g of targeted) {
    const row = byDistrict.get(g.district ?? '') ?? byDistrict.set(g.district ?? '', { district: g.district ?? '', groups: 0, members: 0 }).get(g.district ?? '')!;
    row.groups++;
    row.members += g.memberCount;
  }
  const fleetQuiet = ctx.fleet().quietHours;
  const quiet = { elderly: def.quietHours?.elderly ?? fleetQuiet.elderly, default: def.quietHours?.default ?? fleetQuiet.default };
  const segments = def.audience.segments.length ? def.audience.segments : ['elderly', 'students', 'shoppers', 'general'];
  const applies = [...new Set(segments.map((s) => (s === 'elderly' ? 'elderly' : 'default') as 'elderly' | 'default'))];
  return {
    ok: errors.length === 0,
    errors,
    warnings: check.warnings,
    audience: { groups: targeted.length, members: targeted.reduce((a, g) => a + g.memberCount, 0), byDistrict: [...byDistrict.values()].sort((a, b) => b.groups - a.groups) },
    dueTimes: dueTimes(def, now, 5),
    quietHours: applies.map((a) => ({ applies: a, ...quiet[a] })),
    posts: resolveCampaignPosts(def, ctx.library()).posts.map((p) => ({ id: p.id, title: p.title })),
  };
}

/** A campaign file's text as the editor's definition (YAML import), or its problems by field. */
export function parseCampaignYaml(yaml: string): { definition?: CampaignDefinition; errors: FieldProblem[] } {
  const read = readCampaignText(yaml, 'campaign');
  return read.ok ? { definition: read.value.def, errors: [] } : { errors: read.problems.map((p) => ({ field: p.field, message: `${p.line ? `line ${p.line}: ` : ''}${p.message}` })) };
}

export interface DraftView {
  id: string;
  definition: Record<string, unknown>;
  savedBy: string;
  savedAt: Date;
}


/**
 * Keep a draft of a campaign (new, or the next version of one): the
 * definition as the form holds it, unchecked but for its id and the actor's
 * scope over its audience. A campaign made this way is a draft until submitted.
 */
export async function saveCampaignDraft(ctx: AppContext, actor: Actor, id: string, definition: Record<string, unknown>): Promise<DraftView> {
  if (!CAMPAIGN_ID.test(id)) throw new AppError('ZHIMI_E_INVALID', 'id: must be lower-case letters, digits and dashes (3–61), e.g. gulou-double11');
  const audience = (definition['audience'] ?? {}) as { districts?: unknown };
  const districts = Array.isArray(audience.districts) && audience.districts.length ? audience.districts.map(String) : ['all'];
  const store = await ctx.store();
  const rec = await getCampaign(store, id);
  // the campaign's districts as they stand (submitted or only drafted) and those the draft names: both within the drafter's scope
  requireGrant(actor, 'campaigns:draft', { districts: [...new Set([...districts, ...(rec ? rec.districts : [])])] });
  const draft = { definition: { ...definition, id }, savedBy: actor.id, savedAt: ctx.clock.now() };
  const name = typeof definition['name'] === 'string' && definition['name'] ? definition['name'] : id;
  await saveDraft(store, id, { name, districts, priority: definition['priority'] === 'urgent' ? 'urgent' : 'normal' }, draft);
  await record(ctx, actor, 'campaign.draft', { kind: 'campaign', id }, { details: { districts } });
  return { id, ...draft };
}

/** The draft kept with a campaign, if the actor may see it. */
export async function campaignDraft(ctx: AppContext, actor: Actor, id: string): Promise<DraftView> {
  const rec = await getCampaign(await ctx.store(), id);
  if (!rec?.draft) throw new AppError('ZHIMI_E_NOT_FOUND', `campaign ${id} has no draft`);
  requireGrant(actor, 'campaigns:read', { districts: rec.districts });
  return { id, ...rec.draft };
}
