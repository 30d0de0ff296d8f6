import { listBotStates, onlineBotIds } from '../store/bots-repo.js';
import { liveWorkers } from '../store/workers-repo.js';
import { leaseHolders } from '../store/leases-repo.js';
import { listGroups } from '../store/groups-repo.js';
import { queueDepths, sentSince } from '../outbox/outbox.js';
import type { AppContext } from './context.js';
import { botNote } from './bot-note.js';

export interface BotStatusRow {
  bot: string;
  /** online, starting, stopped, offline or failed (online and starting only with a fresh heartbeat). */
  state: string;
  worker: string;
  groups: number;
  queued: number;
  sentLastHour: number;
  /** `×4, paused 30s` while it backs off. */
  backoff: string;
  /** Why it does not send (a QR code to scan, its logout or lost connection, a failed start's error). */
  note: string;
}

export interface FleetStatus {
  bots: BotStatusRow[];
  workers: { workerId: string; bots: number }[];
}

/** Each bot's state and the worker running it, its groups, queue, posts in the last hour and back-off; the workers running. */
export async function fleetStatus(ctx: AppContext): Promise<FleetStatus> {
  const store = await ctx.store();
  const now = ctx.clock.now();
  const [states, online, holders, depth, sent, groups, workers] = await Promise.all([
    listBotStates(store), onlineBotIds(store, now), leaseHolders(store, now), queueDepths(store), sentSince(store, new Date(now.getTime() - 3_600_000)),
    listGroups(store, { status: ['active', 'paused', 'pending'] }), liveWorkers(store, now),
  ]);
  // online only with a fresh heartbeat; starting only while a worker holds it
  const stateOf = (botId: string, status: string | undefined): string => (status === 'online' || status === 'starting' ? (online.has(botId) ? status : 'offline') : (status ?? 'offline'));
  const bots = ctx.fleet().bots.map((b) => {
    const st = states.find((x) => x.botId === b.id);
    const cooling = st?.cooldownUntil && st.cooldownUntil > now ? Math.round((st.cooldownUntil.getTime() - now.getTime()) / 1000) : 0;
    return {
      bot: b.id,
      state: stateOf(b.id, st?.status),
      worker: holders.get(b.id) ?? '',
      groups: groups.filter((g) => g.botIds.includes(b.id)).length,
      queued: depth.get(b.id) ?? 0,
      sentLastHour: sent.get(b.id) ?? 0,
      backoff: st && st.backoffFactor > 1 ? `×${st.backoffFactor}${cooling ? `, paused ${cooling}s` : ''}` : '',
      note: botNote(st),
    };
  });
  const held = [...holders.values()];
  return { bots, workers: workers.map((w) => ({ workerId: w.workerId, bots: held.filter((x) => x === w.workerId).length })) };
}
