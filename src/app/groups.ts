import { ConfigError } from '../config/errors.js';
import { resolveRegistration } from '../audience/officer-command.js';
import { suggestTags } from '../audience/tag-suggestion.js';
import { findGroup, listGroups as listStored, setGroupPaused, tagGroup as tagStored } from '../store/groups-repo.js';
import { skipPlannedForGroup } from '../outbox/outbox.js';
import { GROUP_PAUSED } from '../audience/officer-command.js';
import type { GroupRecord, Segment } from '../shared/groups.js';
import { can, inScope, type Actor, type Grant } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { AppError, forbidden } from './errors.js';
import { record } from './audit.js';

/** The group registry as officers see it: list, tag, pause and resume groups. */

export interface GroupRow extends GroupRecord {
  /** For a pending group: the district and segments its name suggests (`登记` words), if any. */
  suggestion?: { district: string; segments: Segment[] } | undefined;
}

/** May the actor do this to a group (their grant, and the group in their scope)? */
function mayOn(actor: Actor, grant: Grant, g: Pick<GroupRecord, 'district' | 'station'>): void {
  const d = can(actor, grant, { district: g.district, station: g.station });
  if (!d.ok) throw forbidden(d.why);
}

/**
 * Registered groups the actor may see (only pending ones with `pending`),
 * each pending one with its tag suggestion. A district-scoped user sees
 * their district's groups only; pending groups (not tagged yet) only those
 * whose name suggests their district.
 */
export async function listGroups(ctx: AppContext, actor: Actor, o: { pending?: boolean | undefined } = {}): Promise<GroupRow[]> {
  const d = can(actor, 'groups:read');
  if (!d.ok) throw forbidden(d.why);
  const content = ctx.content();
  const rows = await listStored(await ctx.store(), o.pending ? { status: 'pending' } : {});
  return rows.flatMap((g) => {
    const s = g.status === 'pending' ? suggestTags(g.topic, content.rules, content.ref) : undefined;
    const place = g.district ? g : { district: s?.district };
    if (!inScope(actor.scope, place)) return [];
    return [{ ...g, ...(s?.district && s.segments.length ? { suggestion: { district: s.district, segments: s.segments } } : {}) }];
  });
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
  if (g.district) mayOn(actor, 'groups:tag', g);
  const field = input.asSuggested ? '--accept-suggestion' : '--district/--station/--segments';
  const words = input.asSuggested ? suggestedWords(ctx, g) : [input.district ?? '', ...(input.station ? [input.station] : []), ...(input.segments ?? [])].filter(Boolean);
  if (typeof words === 'string') throw new ConfigError([{ file: 'command line', field, message: words }]);
  const r = resolveRegistration(words, ctx.content().ref);
  if (!r.ok) throw new ConfigError([{ file: 'command line', field, message: r.reply }]);
  mayOn(actor, 'groups:tag', { district: r.command.district, station: r.command.station });
  const tagged = (await tagStored(store, g.roomId, { district: r.command.district, station: r.command.station, segments: r.command.segments, tags: input.tags, taggedBy: actor.id }))!;
  await record(ctx, actor, 'group.tag', { kind: 'group', id: g.id }, { details: { topic: g.topic, district: tagged.district, station: tagged.station, segments: tagged.segments, tags: input.tags } });
  return tagged;
}

/** Tag every pending group that has a suggestion as suggested; the others are left pending and named. */
export async function tagPendingAsSuggested(ctx: AppContext, actor: Actor, tags?: string[]): Promise<{ tagged: GroupRecord[]; left: string[] }> {
  const out: { tagged: GroupRecord[]; left: string[] } = { tagged: [], left: [] };
  for (const g of await listGroups(ctx, actor, { pending: true })) {
    if (typeof suggestedWords(ctx, g) === 'string') out.left.push(g.topic);
    else out.tagged.push(await tagGroup(ctx, actor, g.roomId, { asSuggested: true, tags }));
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
  mayOn(actor, 'groups:pause', g);
  const now = ctx.clock.now();
  const updated = (await setGroupPaused(store, g.roomId, paused, now)) ?? g;
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
