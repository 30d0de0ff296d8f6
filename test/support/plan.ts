import type { Store } from '../../src/store/connection.js';
import { insertPlanned } from '../../src/outbox/outbox.js';
import { type LocalSender } from '../../src/outbox/plan-outbox.js';
import { claimRows } from '../../src/campaigns/plan-run.js';
import { listGroups, tagGroup } from '../../src/store/groups-repo.js';
import { type GroupRecord } from '../../src/shared/groups.js';

/** Tag every pending group (what officers would do) so campaigns can target them. */
export async function tagAll(store: Store): Promise<GroupRecord[]> {
  for (const g of await listGroups(store, { status: 'pending' })) {
    await tagGroup(store, g.roomId, { district: '仓山区', segments: ['general'], taggedBy: 'test' });
  }
  return listGroups(store, { status: 'active' });
}

/**
 * Plan one delivery per group for a run; the bot is the first (or `pick`) member bot. With `local`, as the
 * planner of a worker does: what its dispatcher has room for is claimed as it is written, and the written
 * deliveries are handed over.
 */
export async function planFor(
  store: Store,
  groups: readonly GroupRecord[],
  runId: string,
  opts: { priority?: 0 | 1; pick?: (g: GroupRecord) => string; notBefore?: Date; local?: LocalSender; quiet?: { from: string; to: string }; validUntil?: Date } = {},
): Promise<number> {
  const rows = groups.map((g) => ({
    runId, campaignId: runId.split('@')[0]!, groupId: g.id, roomId: g.roomId, botId: opts.pick ? opts.pick(g) : g.botIds[0]!, postId: 'p', contentHash: 'h',
    text: `【${runId}】请勿向陌生账户转账，拨打96110咨询。`, priority: opts.priority ?? 0, notBefore: opts.notBefore ?? new Date(), quiet: opts.quiet, validUntil: opts.validUntil,
  }));
  if (opts.local) claimRows(rows, opts.local.claimAhead());
  const written = await insertPlanned(store, rows);
  opts.local?.enqueue(written);
  return written.length;
}
