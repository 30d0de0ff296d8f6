import { EventEmitter } from 'node:events';
import type { Clock } from '../config/clock.js';
import { shanghaiDay } from '../config/clock.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/connection.js';
import { claimNext, markSent, markUnsent, type ClaimedDelivery } from '../store/deliveries-repo.js';
import type { BotRunner } from '../fleet/bot-runner.js';
import { NotInGroupError, scrubSecrets } from '../fleet/errors.js';

export interface DispatcherEvents {
  'delivery:sent': [{ deliveryId: string; botId: string; roomId: string; reach: number }];
  'delivery:failed': [{ deliveryId: string; botId: string; roomId: string; reason: string }];
}

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  workerId: string;
  /** The bot that sends, by id (undefined when not running here). */
  runnerOf: (botId: string) => BotRunner | undefined;
  /** WeChat ids of fleet bots, left out of reach. */
  botContactIds: () => ReadonlySet<string>;
  /** Gap before a bot's next post, in ms (limits + jitter). */
  gapMs: (botId: string) => number;
  /** How long a claim is held before it counts as abandoned. @defaultValue 120000 */
  leaseMs?: number;
}

/**
 * Sends what the outbox holds: per bot, claim the next due delivery
 * atomically, `say` it, confirm it with reach. A delivery is claimed before
 * it is sent, so a crash can lose a confirmation but never post twice.
 */
export class Dispatcher extends EventEmitter<DispatcherEvents> {
  constructor(private readonly o: DispatcherOptions) {
    super();
  }

  /** Send every due delivery of these bots, one bot per lane, until none is left. */
  async drain(botIds: readonly string[], signal?: AbortSignal): Promise<void> {
    await Promise.all(botIds.map((botId) => this.drainBot(botId, signal)));
  }

  private async drainBot(botId: string, signal?: AbortSignal): Promise<void> {
    let first = true;
    while (!signal?.aborted) {
      const runner = this.o.runnerOf(botId);
      if (!runner?.isOnline) return;
      if (!first) await sleep(this.o.gapMs(botId), signal);
      const d = await claimNext(this.o.store, { botId, workerId: this.o.workerId, leaseMs: this.o.leaseMs ?? 120_000, now: this.o.clock.now() });
      if (!d) return;
      first = false;
      await this.send(runner, d);
    }
  }

  private async send(runner: BotRunner, d: ClaimedDelivery): Promise<void> {
    const log = this.o.log.child({ botId: d.botId, campaignId: d.campaignId, groupId: d.groupId });
    try {
      const memberIds = await runner.say(d.roomId, d.text);
      const bots = this.o.botContactIds();
      const reach = memberIds.filter((id) => !bots.has(id)).length;
      const sentAt = this.o.clock.now();
      await markSent(this.o.store, d.id, this.o.workerId, { reach, sentAt, day: shanghaiDay(sentAt) });
      log.debug({ reach }, 'delivery sent');
      this.emit('delivery:sent', { deliveryId: d.id, botId: d.botId, roomId: d.roomId, reach });
    } catch (err) {
      const reason = scrubSecrets((err as Error).message);
      await markUnsent(this.o.store, d.id, this.o.workerId, err instanceof NotInGroupError ? 'skipped' : 'failed', reason);
      log.warn({ reason }, 'delivery failed');
      this.emit('delivery:failed', { deliveryId: d.id, botId: d.botId, roomId: d.roomId, reason });
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
