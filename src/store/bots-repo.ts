import type { Store } from './connection.js';

export async function recordBotState(
  store: Store,
  botId: string,
  state: { status: 'online' | 'offline' | 'failed'; contactId?: string | undefined; error?: string | undefined; at: Date },
): Promise<void> {
  await store.models.Bot.updateOne(
    { botId },
    {
      $set: {
        status: state.status,
        ...(state.contactId ? { contactId: state.contactId } : {}),
        ...(state.status === 'online' ? { lastLoginAt: state.at } : {}),
        ...(state.error ? { lastError: state.error } : {}),
      },
    },
    { upsert: true },
  );
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

/** Bots online in any worker: status online and a heartbeat within `freshMs`. */
export async function onlineBotIds(store: Store, now: Date, freshMs = 30_000): Promise<Set<string>> {
  const docs = await store.models.Bot.find({ status: 'online', heartbeatAt: { $gte: new Date(now.getTime() - freshMs) } }, { botId: 1 }).lean();
  return new Set(docs.map((d) => d.botId));
}

export interface BotState {
  botId: string;
  status: string;
  workerId?: string | undefined;
  heartbeatAt?: Date | undefined;
  backoffFactor: number;
  cooldownUntil?: Date | undefined;
  lastError?: string | undefined;
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
  }));
}
