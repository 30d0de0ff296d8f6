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
