import { createWriteStream, type WriteStream } from 'node:fs';
import type { SimWorld } from './world.js';
import type { SimMessage } from './world-model.js';

/**
 * One line of `zhimi sim --record <file>`: a message as the simulated WeChat
 * received it — when (the simulator's clock), in which group, from which bot
 * (or a resident, an officer), and its text. Synthetic people only: the
 * simulator's residents have no real identity.
 */
export interface RecordedMessage {
  /** Receive time, ms since the epoch. */
  t: number;
  at: string;
  room?: string | undefined;
  topic?: string | undefined;
  /** The bot's id for a fleet bot's message; else `member`, `officer` or `stranger`. */
  from: string;
  /** The message's receiver for a private message. */
  to?: string | undefined;
  text: string;
}

/** A message as a record line (pure). */
export function recordLine(world: Pick<SimWorld, 'bots' | 'contacts' | 'rooms'>, m: SimMessage): RecordedMessage {
  const bot = world.bots.find((b) => b.contactId === m.talkerId);
  const from = bot?.botId ?? world.contacts.get(m.talkerId)?.kind ?? 'member';
  const to = m.listenerId ? (world.bots.find((b) => b.contactId === m.listenerId)?.botId ?? world.contacts.get(m.listenerId)?.kind) : undefined;
  return { t: m.timestamp, at: new Date(m.timestamp).toISOString(), ...(m.roomId ? { room: m.roomId, topic: world.rooms.get(m.roomId)?.topic } : { to }), from, text: m.text };
}

/** Append every message the world receives to `file`, one JSON line each; returns what stops it (after the last line is written). */
export function recordMessages(world: SimWorld, file: string): () => Promise<void> {
  const out: WriteStream = createWriteStream(file, { flags: 'a' });
  const onMessage = (m: SimMessage): void => void out.write(JSON.stringify(recordLine(world, m)) + '\n');
  world.on('message', onMessage);
  return () =>
    new Promise<void>((resolve) => {
      world.off('message', onMessage);
      out.end(() => resolve());
    });
}
