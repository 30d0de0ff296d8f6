import { leaseHolders } from './leases-repo.js';
import { isCalm, type Beat } from '../shared/heartbeat-cadence.js';
import type { BotStatus } from './models/bots.js';
import type { Store } from './connection.js';

export async function recordBotState(
  store: Store,
  botId: string,
  state: { status: BotStatus; contactId?: string | undefined; error?: string | undefined; at: Date },
): Promise<void> {
  await store.models.Bot.updateOne(
    { botId },
    {
      $set: {
        status: state.status,
        ...(state.contactId ? { contactId: state.contactId } : {}),
        // a login is a sign of life: the bot counts as online from now, not from its worker's next heartbeat
        ...(state.status === 'online' ? { lastLoginAt: state.at, heartbeatAt: state.at } : {}),
        ...(state.error ? { lastError: state.error } : {}),
      },
      // logged in: no QR code waits to be scanned any more
      ...(state.status === 'online' ? { $unset: { loginQr: 1, loginQrCode: 1 } } : {}),
    },
    { upsert: true },
  );
}

/**
 * The bot's account waits for its QR code to be scanned: `file` is where the
 * worker wrote it, `qrcode` what it encodes (the console draws it for fleet
 * operators). Both go once the bot is logged in.
 */
export async function recordLoginQr(store: Store, botId: string, file: string, qrcode: string): Promise<void> {
  await store.models.Bot.updateOne({ botId }, { $set: { loginQr: file, loginQrCode: qrcode } }, { upsert: true });
}

/** WeChat ids of every fleet bot that ever logged in, in any worker. */
export async function knownBotContactIds(store: Store): Promise<Set<string>> {
  const docs = await store.models.Bot.find({ contactId: { $exists: true } }, { contactId: 1 }).lean();
  return new Set(docs.map((d) => d.contactId).filter((x): x is string => !!x));
}

/** A worker says its bot is alive (and how it is backing off). */
export async function heartbeat(store: Store, botId: string, workerId: string, now: Date, backoff?: { factor: number; cooldownUntil: number }): Promise<void> {
  await store.models.Bot.updateOne(
    { botId },
    {
      $set: {
        status: 'online',
        workerId,
        heartbeatAt: now,
        ...(backoff ? { backoffFactor: backoff.factor, cooldownUntil: new Date(backoff.cooldownUntil) } : {}),
      },
    },
    { upsert: true },
  );
}

/**
 * Heartbeats of bots a worker runs (those due this tick, see beatsDue), in as
 * few writes as possible: one for all the bots that are not backing off (a
 * write per bot rewrote the collection once per bot on FerretDB), one per bot
 * that is.
 */
export async function heartbeats(store: Store, workerId: string, now: Date, bots: readonly Beat[]): Promise<void> {
  const calm = bots.filter((b) => isCalm(b, now.getTime()));
  if (calm.length) {
    await store.models.Bot.updateMany(
      { botId: { $in: calm.map((b) => b.botId) } },
      { $set: { status: 'online', workerId, heartbeatAt: now, backoffFactor: 1, cooldownUntil: new Date(Math.max(0, ...calm.map((b) => b.backoff.cooldownUntil))) } },
    );
  }
  for (const b of bots) if (!calm.includes(b)) await heartbeat(store, b.botId, workerId, now, b.backoff);
}

/**
 * How old the heartbeat of a bot whose worker holds its lease may be: that worker writes it every minute while the
 * bot is logged in (see BEAT_EVERY_MS in fleet-worker.ts), so one older than three says the bot is not (its going
 * offline was not recorded: the database out of reach then).
 */
const HELD_BEAT_MS = 180_000;

/**
 * Bots whose posts wait for them, in any worker: logged in, with a heartbeat
 * within `freshMs`, or within three minutes while the worker that wrote it
 * holds their lease (its presence renewed every few seconds); being started
 * by a worker that holds their lease; or stopped on purpose (a worker shut
 * down or handed them over) and not yet `freshMs` ago or taken by another
 * worker. A bot that logged out, dropped or failed to start is not among
 * them: its planned posts move to another bot.
 */
export async function onlineBotIds(store: Store, now: Date, freshMs = 30_000): Promise<Set<string>> {
  const [docs, leased] = await Promise.all([
    store.models.Bot.find({ status: { $in: ['online', 'starting', 'stopped'] } }, { botId: 1, status: 1, heartbeatAt: 1, workerId: 1 }).lean(),
    leaseHolders(store, now),
  ]);
  const fresh = (d: { heartbeatAt?: Date | null | undefined }, ms = freshMs): boolean => !!d.heartbeatAt && d.heartbeatAt.getTime() >= now.getTime() - ms;
  const heldByItsWorker = (d: { botId: string; workerId?: string | null | undefined }): boolean => !!d.workerId && leased.get(d.botId) === d.workerId;
  return new Set(docs.filter((d) => (d.status === 'online' ? fresh(d) || (heldByItsWorker(d) && fresh(d, HELD_BEAT_MS)) : leased.has(d.botId) || (d.status === 'stopped' && fresh(d)))).map((d) => d.botId));
}

export interface BotState {
  botId: string;
  status: string;
  workerId?: string | undefined;
  heartbeatAt?: Date | undefined;
  backoffFactor: number;
  cooldownUntil?: Date | undefined;
  lastError?: string | undefined;
  /** Where the QR code to scan is, while its account waits to be logged in, and what it encodes. */
  loginQr?: string | undefined;
  loginQrCode?: string | undefined;
}

export async function listBotStates(store: Store): Promise<BotState[]> {
  const docs = await store.models.Bot.find({}).sort({ botId: 1 }).lean();
  return docs.map((d) => ({
    botId: d.botId,
    status: d.status,
    workerId: d.workerId ?? undefined,
    heartbeatAt: d.heartbeatAt ?? undefined,
    backoffFactor: d.backoffFactor ?? 1,
    cooldownUntil: d.cooldownUntil ?? undefined,
    lastError: d.lastError ?? undefined,
    loginQr: d.loginQr ?? undefined,
    loginQrCode: d.loginQrCode ?? undefined,
  }));
}
