import { ConfigError } from '../config/errors.js';
import { resolveRegistration } from '../audience/officer-command.js';
import { suggestTags } from '../audience/tag-suggestion.js';
import { findGroup, listGroups as listStored, registryVersion, setGroupPaused, tagGroup as tagStored } from '../store/groups-repo.js';
import { findCounters } from '../store/engagement-repo.js';
import { filterGroups, pageOf, type GroupFilter } from '../audience/group-query.js';
import { shanghaiDay, shiftDay } from '../config/clock.js';
import { loadDeliveries, skipPlannedForGroup } from '../outbox/outbox.js';
import { GROUP_PAUSED } from '../audience/officer-command.js';
import { GROUP_STATUSES, type GroupRecord, type GroupStatus, type Segment } from '../shared/groups.js';
import { inScope, scopeName, type Actor } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { AppError, forbidden, requireGrant } from './errors.js';
import { record } from './audit.js';
import { KeptRead } from './kept-read.js';
import type { Store } from '../store/connection.js';

/** The group registry as officers see it: list, tag, pause and resume groups. */

export interface GroupRow extends GroupRecord {
  /** For a pending group: the district and segments its name suggests (`登记` words), if any. */
  suggestion?: { district: string; segments: Segment[] } | undefined;
}

/** The registry as last read by this process, with the version it was read at (see `registrySnapshot`). */
interface Registry {
  version: string;
  rows: GroupRow[];
}
const registries = new WeakMap<object, { kept: KeptRead<Registry>; checkedAt: number }>();

/** How often the registry's version is looked at (one read by `_id`): a change by another process shows within this; this process's own at once. */
const REGISTRY_CHECK_MS = 1_000;

/**
 * Every registered group, each pending one with its tag suggestion: read
 * once and kept while the registry's version stays the same (any write to
 * the registry, by any process, changes it). A list of 69,000 groups is then
 * filtered and paged in memory instead of read from the database each time.
 * When the version changes it is read again; a slow read (a large registry
 * on FerretDB: seconds) is made in the background while the list as last
 * read is answered, with this process's own writes in it at once.
 */
function registryOf(ctx: AppContext, store: Store): { kept: KeptRead<Registry>; checkedAt: number } {
  let r = registries.get(store);
  if (!r) {
    const read = async (): Promise<Registry> => {
      const reader = await ctx.readerStore();
      const version = await registryVersion(reader);
      const content = ctx.content();
      return { version, rows: (await listStored(reader)).map((g) => rowOf(content, g)) };
    };
    r = { kept: new KeptRead(read, { clock: ctx.clock, freshMs: Infinity, onError: (err) => ctx.log.warn({ err }, 'the group registry could not be read again; the list as last read is shown') }), checkedAt: ctx.clock.now().getTime() };
    registries.set(store, r);
  }
  return r;
}

async function registrySnapshot(ctx: AppContext): Promise<GroupRow[]> {
  const store = await ctx.store();
  const r = registryOf(ctx, store);
  const now = ctx.clock.now().getTime();
  if (now - r.checkedAt >= REGISTRY_CHECK_MS) {
    r.checkedAt = now;
    const version = await registryVersion(store);
    if (r.kept.peek()?.version !== version) r.kept.stale();
  }
  return (await r.kept.get()).value.rows;
}

/**
 * Every registered group as this process keeps the registry (for figures over all groups, such as a bot's
 * groups; not scoped). An API server asks it at start, so the registry is read before the first officer.
 */
export function registeredGroups(ctx: AppContext): Promise<readonly GroupRecord[]> {
  return registrySnapshot(ctx);
}

/** This process wrote a group: the list shows it at once (the registry's new version brings it from the database too). */
function wroteGroup(ctx: AppContext, store: Store, g: GroupRecord): void {
  const row = rowOf(ctx.content(), g);
  const r = registryOf(ctx, store);
  r.kept.patch((reg) => ({ ...reg, rows: reg.rows.map((x) => (x.id === row.id ? row : x)) }));
  r.kept.stale();
}

/** A group as listed: a pending one with the district and segments its name suggests. */
function rowOf(content: ReturnType<AppContext['content']>, g: GroupRecord): GroupRow {
  const s = g.status === 'pending' ? suggestTags(g.topic, content.rules, content.ref) : undefined;
  return s?.district && s.segments.length ? { ...g, suggestion: { district: s.district, segments: s.segments } } : g;
}

/** May the actor see this group: tagged, in their scope; pending, when its name suggests their district. */
const visibleTo = (actor: Actor) => (g: GroupRow): boolean => inScope(actor.scope, g.district ? g : { district: g.suggestion?.district });

/**
 * Registered groups the actor may see (only pending ones with `pending`),
 * each pending one with its tag suggestion. A district-scoped user sees
 * their district's groups only; pending groups (not tagged yet) only those
 * whose name suggests their district.
 */
export async function listGroups(ctx: AppContext, actor: Actor, o: { pending?: boolean | undefined } = {}): Promise<GroupRow[]> {
  requireGrant(actor, 'groups:read');
  return (await registrySnapshot(ctx)).filter((g) => (!o.pending || g.status === 'pending') && visibleTo(actor)(g));
}

export interface GroupPage {
  total: number;
  page: number;
  pageSize: number;
  rows: GroupRow[];
  /** Groups the actor may see, by status (whatever the filter). */
  byStatus: Record<GroupStatus, number>;
  /** Members of the groups the filter keeps. */
  members: number;
}

/** One page of the groups the actor may see that a filter keeps, by name. */
export async function groupPage(ctx: AppContext, actor: Actor, f: GroupFilter & { page: number; pageSize: number }): Promise<GroupPage> {
  const visible = await listGroups(ctx, actor);
  const byStatus = Object.fromEntries(GROUP_STATUSES.map((s) => [s, 0])) as Record<GroupStatus, number>;
  for (const g of visible) byStatus[g.status]++;
  const kept = filterGroups(visible, f);
  return { ...pageOf(kept, f.page, f.pageSize), byStatus, members: kept.reduce((a, g) => a + g.memberCount, 0) };
}

export interface GroupDetail {
  group: GroupRow;
  /** Its latest posts (newest first), with what became of each. */
  posts: { at: Date; campaignId: string; postId: string; status: string; reason?: string | undefined; reach?: number | undefined }[];
  /** Its engagement over the last 30 days, from the daily counters. */
  last30: Record<'sent' | 'reach' | 'reply' | 'mention' | 'keyword' | 'question' | 'click', number>;
}

/** A group the actor may see, with its latest posts and engagement. */
export async function groupDetail(ctx: AppContext, actor: Actor, ref: string): Promise<GroupDetail> {
  const store = await ctx.store();
  const found = await findGroup(store, ref);
  const group = found && (await listGroups(ctx, actor)).find((g) => g.id === found.id);
  if (!found) throw new AppError('ZHIMI_E_NOT_FOUND', `no registered group "${ref}"`);
  // not even its name: a group outside one's scope is refused without telling what it is
  if (!group) throw forbidden(`${actor.name} works for ${scopeName(actor.scope)}: the group asked for is outside it`);
  const since = shiftDay(shanghaiDay(ctx.clock.now()), -29);
  const [deliveries, counters] = await Promise.all([loadDeliveries(store, { groupId: group.id }), findCounters(store, 'group', { groupId: group.id, day: { $gte: since } })]);
  const last30 = { sent: 0, reach: 0, reply: 0, mention: 0, keyword: 0, question: 0, click: 0 };
  for (const c of counters) for (const k of Object.keys(last30) as (keyof typeof last30)[]) last30[k] += c[k] ?? 0;
  const posts = deliveries
    .map((d) => ({ at: d.sentAt ?? d.notBefore, campaignId: d.campaignId, postId: d.postId, status: d.status, reason: d.reason, reach: d.reach }))
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, 50);
  return { group, posts, last30 };
}

export interface TagInput {
  district?: string | undefined;
  station?: string | undefined;
  segments?: string[] | undefined;
  /** Free tags (e.g. 开学季). */
  tags?: string[] | undefined;
  /** Take district and segments from the group's name, as suggested (instead of district, station and segments). */
  asSuggested?: boolean | undefined;
}

/**
 * Tag a group (room id, topic or id) with district, police station and
 * segments — checked against the reference data as an officer's `登记` in
 * the group is; a pending group becomes active. Recorded as tagged by the actor.
 */
export async function tagGroup(ctx: AppContext, actor: Actor, ref: string, input: TagInput): Promise<GroupRecord> {
  const store = await ctx.store();
  const g = await findGroup(store, ref);
  if (!g) throw new AppError('ZHIMI_E_NOT_FOUND', `no registered group "${ref}": see \`zhimi groups list\``);
  if (g.district) requireGrant(actor, 'groups:tag', { district: g.district, station: g.station });
  // a pending group is a district's to tag only when its name suggests that district (as the list shows it); else the city's
  else {
    const row = rowOf(ctx.content(), g);
    if (!visibleTo(actor)(row)) throw forbidden(`${actor.name} works for ${scopeName(actor.scope)}: ${row.suggestion ? `the pending group's name suggests ${row.suggestion.district}, outside it` : 'the pending group asked for is not named for it'}; an officer in the group tags it with @bot 登记, or a city officer here`);
  }
  const field = input.asSuggested ? '--accept-suggestion' : '--district/--station/--segments';
  const words = input.asSuggested ? suggestedWords(ctx, g) : [input.district ?? '', ...(input.station ? [input.station] : []), ...(input.segments ?? [])].filter(Boolean);
  if (typeof words === 'string') throw new ConfigError([{ file: 'command line', field, message: words }]);
  const r = resolveRegistration(words, ctx.content().ref);
  if (!r.ok) throw new ConfigError([{ file: 'command line', field, message: r.reply }]);
  requireGrant(actor, 'groups:tag', { district: r.command.district, station: r.command.station });
  const tagged = (await tagStored(store, g.roomId, { district: r.command.district, station: r.command.station, segments: r.command.segments, tags: input.tags, taggedBy: actor.id }))!;
  wroteGroup(ctx, store, tagged);
  await record(ctx, actor, 'group.tag', { kind: 'group', id: g.id }, { details: { topic: g.topic, district: tagged.district, station: tagged.station, segments: tagged.segments, tags: input.tags } });
  return tagged;
}

/**
 * Tag pending groups as their names suggest: the ones named (ids), or every
 * pending group the actor may see. Those without a suggestion are left
 * pending and named.
 */
export async function tagPendingAsSuggested(ctx: AppContext, actor: Actor, o: { ids?: readonly string[] | undefined; tags?: string[] | undefined } = {}): Promise<{ tagged: GroupRecord[]; left: string[] }> {
  const out: { tagged: GroupRecord[]; left: string[] } = { tagged: [], left: [] };
  const wanted = o.ids && new Set(o.ids);
  for (const g of await listGroups(ctx, actor, { pending: true })) {
    if (wanted && !wanted.has(g.id)) continue;
    if (!g.suggestion) out.left.push(g.topic);
    else out.tagged.push(await tagGroup(ctx, actor, g.roomId, { asSuggested: true, tags: o.tags }));
  }
  return out;
}

/**
 * Pause or resume the campaign posts of a group, as an officer's `暂停` /
 * `恢复` in the group does: a pause skips the posts already planned for it
 * (workers skip the ones they hold claimed within a second).
 */
export async function pauseGroup(ctx: AppContext, actor: Actor, ref: string, paused: boolean): Promise<{ group: GroupRecord; skipped: number }> {
  const store = await ctx.store();
  const g = await findGroup(store, ref);
  if (!g) throw new AppError('ZHIMI_E_NOT_FOUND', `no registered group "${ref}": see \`zhimi groups list\``);
  requireGrant(actor, 'groups:pause', { district: g.district, station: g.station });
  const now = ctx.clock.now();
  const updated = (await setGroupPaused(store, g.roomId, paused, now)) ?? g;
  wroteGroup(ctx, store, updated);
  const skipped = paused ? (await skipPlannedForGroup(store, g.id, GROUP_PAUSED, now)).length : 0;
  await record(ctx, actor, paused ? 'group.pause' : 'group.resume', { kind: 'group', id: g.id }, { details: { topic: g.topic, ...(skipped ? { skipped } : {}) } });
  return { group: updated, skipped };
}

/** The words an officer would type for a group (`登记 仓山区 老年`), or why there are none. */
function suggestedWords(ctx: AppContext, g: GroupRecord): string[] | string {
  const content = ctx.content();
  const s = suggestTags(g.topic, content.rules, content.ref);
  return s.district && s.segments.length ? [s.district, ...s.segments] : `no suggestion for "${g.topic}": give --district and --segments`;
}
