import { listBotStates, onlineBotIds } from '../store/bots-repo.js';
import { isLate, recentWorkers } from '../store/workers-repo.js';
import { leaseHolders } from '../store/leases-repo.js';
import { queueDepths, sentSince } from '../outbox/outbox.js';
import type { AppContext } from './context.js';
import { shanghaiDay } from '../config/clock.js';

/** Midnight (Asia/Shanghai) of the day `now` is in. */
const startOfShanghaiDay = (now: Date): Date => new Date(`${shanghaiDay(now)}T00:00:00+08:00`);
import { botNote } from './bot-note.js';
import { registeredGroups } from './groups.js';
import { KeptRead, KeptReads } from './kept-read.js';

export interface BotStatusRow {
  bot: string;
  /**
   * online, starting, stopped, offline or failed (online and starting only with a fresh heartbeat); `unknown`
   * while the worker running it is late (killed, paused or cut off: nobody can say what the bot does).
   */
  state: string;
  worker: string;
  groups: number;
  queued: number;
  sentLastHour: number;
  /** Posts since midnight (Asia/Shanghai) and its day's limit: the budget used. */
  sentToday: number;
  perDay: number;
  /** Its account waits for a QR code to be scanned (fleet operators see it in the console). */
  waitingScan: boolean;
  /** `×4, paused 30s` while it backs off. */
  backoff: string;
  /** Why it does not send (a QR code to scan, its logout or lost connection, a failed start's error). */
  note: string;
}

export interface WorkerStatusRow {
  workerId: string;
  bots: number;
  /** `running`, or `late` when not heard from for more than two of its ticks (killed, paused or cut off from the database). */
  state: 'running' | 'late';
  /** Seconds since it last said it lives. */
  lastSeenSec: number;
}

export interface FleetStatus {
  bots: BotStatusRow[];
  workers: WorkerStatusRow[];
}

/** A worker not heard from is listed as late this long after its presence ran out; then it is gone from the list. */
const LATE_LISTED_MS = 10 * 60_000;

const kept = new KeptReads<FleetStatus>();

/** How long a read of the fleet's state is answered as it is (the console's fleet page, dashboard and live feed share it). */
const FLEET_FRESH_MS = 2_000;

/**
 * Each bot's state and the worker running it, its groups, queue, posts in
 * the last hour and back-off; the workers running. Read at most once per
 * 2 s in this process; when that read is slow (the outbox's queues on
 * FerretDB at 69,000 groups), calls are answered with the last one while it
 * is read again.
 */
export async function fleetStatus(ctx: AppContext): Promise<FleetStatus> {
  const store = await ctx.store();
  const read = kept.of(store, 'fleet', () => new KeptRead(() => readFleetStatus(ctx), { clock: ctx.clock, freshMs: FLEET_FRESH_MS, onError: (err) => ctx.log.warn({ err }, 'the fleet\'s state could not be read again; the last one is shown') }));
  return (await read.get()).value;
}

async function readFleetStatus(ctx: AppContext): Promise<FleetStatus> {
  const store = await ctx.readerStore();
  const now = ctx.clock.now();
  const [states, online, holders, depth, sent, sentToday, registry, recent] = await Promise.all([
    listBotStates(store), onlineBotIds(store, now), leaseHolders(store, now), queueDepths(store), sentSince(store, new Date(now.getTime() - 3_600_000)), sentSince(store, startOfShanghaiDay(now)),
    registeredGroups(ctx), recentWorkers(store, now, LATE_LISTED_MS),
  ]);
  const groups = new Map<string, number>();
  for (const g of registry) if (g.status !== 'left') for (const b of g.botIds) groups.set(b, (groups.get(b) ?? 0) + 1);
  const workers = recent.map((w) => ({
    workerId: w.workerId,
    state: isLate(w, now) ? ('late' as const) : ('running' as const),
    lastSeenSec: Math.max(0, Math.round((now.getTime() - (w.renewedAt ?? w.startedAt).getTime()) / 1000)),
  }));
  const late = new Map(workers.filter((w) => w.state === 'late').map((w) => [w.workerId, w]));
  // online only with a fresh heartbeat; starting only while a worker holds it; unknown while the worker running it is late
  const stateOf = (botId: string, status: string | undefined, worker: string | undefined): string => {
    if ((status === 'online' || status === 'starting') && worker && late.has(worker)) return 'unknown';
    return status === 'online' || status === 'starting' ? (online.has(botId) ? status : 'offline') : (status ?? 'offline');
  };
  const bots = ctx.fleet().bots.map((b) => {
    const st = states.find((x) => x.botId === b.id);
    const cooling = st?.cooldownUntil && st.cooldownUntil > now ? Math.round((st.cooldownUntil.getTime() - now.getTime()) / 1000) : 0;
    const worker = holders.get(b.id) ?? (st?.status === 'online' || st?.status === 'starting' ? st.workerId : undefined);
    const state = stateOf(b.id, st?.status, worker);
    const lateWorker = state === 'unknown' ? late.get(worker!) : undefined;
    return {
      bot: b.id,
      state,
      worker: worker ?? '',
      groups: groups.get(b.id) ?? 0,
      queued: depth.get(b.id) ?? 0,
      sentLastHour: sent.get(b.id) ?? 0,
      sentToday: sentToday.get(b.id) ?? 0,
      perDay: b.limits.perDay,
      waitingScan: !!st?.loginQrCode,
      backoff: st && st.backoffFactor > 1 ? `×${st.backoffFactor}${cooling ? `, paused ${cooling}s` : ''}` : '',
      note: lateWorker ? `its worker ${lateWorker.workerId} has not been heard from for ${lateWorker.lastSeenSec} s (killed, paused or cut off): another worker takes the bot over once its lease runs out` : botNote(st),
    };
  });
  const held = [...holders.values()];
  return { bots, workers: workers.map((w) => ({ ...w, bots: held.filter((x) => x === w.workerId).length })) };
}
