import type { SimWorld } from './world.js';
import type { SimMessage } from './world-model.js';

/**
 * A simulated member asks a bot something, in a group (with an @-mention) or
 * privately, and waits for the bot's answer to them: in the group a message
 * mentioning the member, privately a message to the member. Resolves with the
 * answer and how long it took; rejects after `timeoutMs`.
 */
export function askBot(
  world: SimWorld,
  q: { botId: string; memberId: string; text: string; roomId?: string; timeoutMs?: number },
): Promise<{ question: SimMessage; answer: SimMessage; ms: number }> {
  const bot = world.botContactId(q.botId);
  return new Promise((resolve, reject) => {
    let question: SimMessage | undefined;
    const started = Date.now();
    const onMessage = (m: SimMessage): void => {
      if (!question || m.talkerId !== bot) return;
      const toMember = q.roomId ? m.roomId === q.roomId && m.mentionIds.includes(q.memberId) : !m.roomId && m.listenerId === q.memberId;
      if (!toMember) return;
      cleanup();
      resolve({ question, answer: m, ms: Date.now() - started });
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no answer from ${q.botId} to "${q.text.slice(0, 20)}…" within ${q.timeoutMs ?? 5000} ms`));
    }, q.timeoutMs ?? 5000);
    const cleanup = (): void => {
      clearTimeout(timer);
      world.off('message', onMessage);
    };
    world.on('message', onMessage);
    question = q.roomId
      ? world.mention(q.roomId, q.memberId, q.botId, q.text)
      : world.post({ talkerId: q.memberId, listenerId: bot, text: q.text, mentionIds: [] });
  });
}
