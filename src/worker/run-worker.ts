import { hostname } from 'node:os';
import { createMemberKeyer } from '../audience/member-key.js';
import { GroupCache } from '../audience/group-cache.js';
import { createScamDesk } from '../scamcheck/desk.js';
import { recorderFor } from '../engagement/recorder.js';
import { composeInbound } from '../fleet/group-membership.js';
import { wechatyChannel } from '../channels/wechaty/wechaty-channel.js';
import { missingToken } from '../channels/wechaty/puppet-factory.js';
import type { AppContext } from '../app/context.js';
import { FleetWorker, WORKER_DEFAULTS } from './fleet-worker.js';
import { requireSigner } from '../config/keys.js';
import { usersDirectory, workerAudit } from './officer-directory.js';

/** A worker process's settings from the environment (README: Configuration). */
function workerSettings(env: NodeJS.ProcessEnv): Partial<Pick<ConstructorParameters<typeof FleetWorker>[0], 'botLeaseMs' | 'deliveryLeaseMs' | 'tickMs' | 'pollMs' | 'syncEveryMs' | 'dbUnreachableExitMs' | 'waitForBotMs' | 'retentionDays'>> {
  const num = (name: string): number | undefined => (env[name] ? Number(env[name]) : undefined);
  const out: Record<string, number> = {};
  for (const [key, name] of [
    ['botLeaseMs', 'ZHIMI_BOT_LEASE_MS'], ['deliveryLeaseMs', 'ZHIMI_DELIVERY_LEASE_MS'], ['tickMs', 'ZHIMI_TICK_MS'], ['pollMs', 'ZHIMI_POLL_MS'], ['syncEveryMs', 'ZHIMI_SYNC_MS'],
    ['dbUnreachableExitMs', 'ZHIMI_DB_UNREACHABLE_EXIT_MS'], ['waitForBotMs', 'ZHIMI_WAIT_FOR_BOT_MS'], ['retentionDays', 'ZHIMI_RETENTION_DAYS'],
  ] as const) {
    const v = num(name);
    if (v) out[key] = v;
  }
  return out;
}

/**
 * Start the worker of `zhimi fleet start`: the bots of bots/ over WeChat
 * (Wechaty), the scam check and the engagement recorder on what they hear,
 * the scheduler and delivery. Resolves once it runs; `stop()` stops it
 * gracefully (cron, lanes, bots, leases, then the counters are written).
 */
export async function runWorker(ctx: AppContext, env: NodeJS.ProcessEnv = process.env): Promise<{ workerId: string; stop(): Promise<void>; failed: Promise<never> }> {
  const config = ctx.fleet();
  const store = await ctx.store();
  const content = ctx.content();
  const keyer = createMemberKeyer(ctx.env.memberKey);
  const groups = new GroupCache(store, ctx.clock);
  const workerId = env['ZHIMI_WORKER_ID'] || `${hostname()}-${process.pid}`;
  const desk = createScamDesk({ contentDir: ctx.contentDir, fleet: config, messages: content.messages, hotline: content.ref.hotline, store, keyer, clock: ctx.clock, log: ctx.log, groups });
  const settings = workerSettings(env);
  // the recorder counts this worker's sent posts once the outbox holds them (its session tags them), exactly once
  const recorder = recorderFor({ contentDir: ctx.contentDir, fleet: config, store, keyer, clock: ctx.clock, log: ctx.log, writer: workerId, groups, exitAfterMs: settings.dbUnreachableExitMs ?? WORKER_DEFAULTS.dbUnreachableExitMs });
  let lose: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (lose = reject));
  failed.catch(() => undefined); // observed by the caller; never unhandled
  const worker = new FleetWorker({
    config, store, keyer, log: ctx.log, clock: ctx.clock, channel: wechatyChannel(), inbound: composeInbound(desk, recorder), workerId,
    officers: usersDirectory(store, ctx.clock),
    audit: workerAudit(store, requireSigner(ctx.keys(), 'worker'), ctx.clock),
    linkBase: ctx.env.publicUrl && (await import('../shared/link-code.js')).useLinkKey({ base: ctx.env.publicUrl, key: ctx.env.linkKey ?? '' }),
    content, library: ctx.library(), approvals: ctx.keys().approvals,
    redisUrl: env['ZHIMI_REDIS_URL'] || undefined,
    cannotRun: (bot) => missingToken(bot, env)?.message,
    // the database gone for longer than the set time: the process ends (exit 3) for its supervisor to restart it
    onDatabaseLost: (err) => lose(err),
    tallySession: recorder.session,
    ...settings,
  });
  recorder.watchDatabase(worker.database);
  recorder.follow(worker.dispatcher);
  await recorder.start();
  let sent = 0;
  worker.dispatcher.on('delivery:sent', () => {
    if (++sent % 50 === 0) ctx.log.info({ sent }, 'dispatching');
  });
  await worker.start();
  return {
    workerId: worker.workerId,
    failed,
    async stop() {
      await worker.close();
      await recorder.close();
    },
  };
}
