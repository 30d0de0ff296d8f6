import type { EventEmitter } from 'node:events';
import type { BotConfig } from '../config/bots.js';
import type { Logger } from '../log/logger.js';
import type { MemberKeyer } from '../audience/member-key.js';
import type { Pacing } from '../delivery/send-pacer.js';
import type { PostingBot, SendFailure } from '../delivery/channel-port.js';

/**
 * A channel: how Zhimi's bots reach groups of residents. Wechaty over a
 * puppet service is one (src/channels/wechaty/); the rest of Zhimi sees only
 * this contract. Nothing that identifies a resident crosses it except as a
 * keyed hash.
 */

/** A group as a bot sees it now: residents only (the fleet's bots left out), as keyed hashes. */
export interface RoomView {
  roomId: string;
  topic: string;
  memberKeys: string[];
}

/** A message someone sent where a bot reads it, as plain data. */
export interface InboundMessage {
  /** The channel's message id (a message delivered twice has the same id). */
  id: string;
  botId: string;
  /** The group's room id; undefined for a private message to the bot. */
  roomId?: string | undefined;
  /** The sender's keyed hash. */
  senderKey: string;
  /** The sender is a bot of the fleet (by its account id, never by a name anyone can choose). */
  fromFleetBot: boolean;
  /** The message @-mentions the bot. */
  mentionsBot: boolean;
  /** What the sender wrote (without a quoted message). */
  text: string;
  /**
   * The message the sender quoted: the name shown for its author (anyone can
   * take any name), its text, and whether the bot itself said it (by its own
   * account, never by the name).
   */
  quoted?: { name: string; text: string; fromBot: boolean } | undefined;
  /** When the platform stamped it (real time). */
  sentAt: Date;
  /** Answer the sender in the bot's turn: in a group mentioning them, privately in private. */
  reply(text: string): Promise<void>;
}

/** What a bot tells the fleet. */
export interface ChannelBotEvents {
  login: [{ botId: string }];
  logout: [{ botId: string; reason: string }];
  /** The account is back after a logout or a lost connection. */
  relogin: [{ botId: string }];
  /** The account waits for a QR code to be scanned; `file` holds it for the operator. */
  /** The account waits for a QR code to be scanned: where it was written, and what it encodes (for the console). */
  scan: [{ botId: string; file: string; qrcode: string }];
  /** Someone invited the bot into a group; `accept()` joins it. */
  invite: [{ inviterKey: string; topic: string; accept(): Promise<void> }];
  /** The bot joined a group (`inviterKey`: who brought it in, when known). */
  joined: [{ roomId: string; inviterKey: string | undefined }];
  /** The bot was removed from a group. */
  left: [{ roomId: string; removerKey: string | undefined }];
  /** A group's topic or members changed. */
  'room-changed': [{ roomId: string }];
  message: [InboundMessage];
}

/** One bot (one account) on a channel. */
export interface ChannelBot extends PostingBot, EventEmitter<ChannelBotEvents> {
  readonly bot: BotConfig;
  /** The bot's own account id on the channel (known after login); fleet bots are never counted as members. */
  readonly contactId: string | undefined;
  /** Stopped, or being stopped, by its worker. */
  readonly isStopping: boolean;
  /** Log in; rejects with what to check when it cannot. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Start its connection again if it is off while the bot should run (asked at every worker tick). */
  keepConnected(): void;
  /** The ids of every group the bot is in (found by looking at its rooms, or listed by the channel's API). */
  roomIds(): Promise<string[]>;
  /** One group as the bot sees it now, or undefined when it is not (or no longer) in it. */
  room(roomId: string): Promise<RoomView | undefined>;
  /** Say something in a group in the bot's turn (an introduction, a note). */
  announce(roomId: string, text: string): Promise<void>;
  /** Leave a group. */
  leave(roomId: string): Promise<void>;
  /** Run a send of the bot's own in its turn (spaced from its posts and replies). */
  speak<T>(send: () => Promise<T>): Promise<T>;
}

/** What the fleet does with inbound messages besides officers' commands (the scam check, engagement). */
export interface InboundHandlers {
  /** @-mentions in a group that are not officer commands. */
  onMention?(m: InboundMessage): Promise<void>;
  /** Every other text message in a group. */
  onGroupMessage?(m: InboundMessage): Promise<void>;
  /** Text messages people send the bot privately. */
  onPrivateMessage?(m: InboundMessage): Promise<void>;
}

/** What a channel needs from the fleet to make a bot. */
export interface ChannelBotDeps {
  keyer: MemberKeyer;
  log: Logger;
  /** Is this account one of the fleet's bots (in any worker)? */
  isFleetBot(contactId: string): boolean;
  /** How the bot's messages are spaced now. @defaultValue its minimum gap */
  pacing?: () => Pacing;
  /** A reply of the bot failed (classified): a throttling sign backs the bot off. */
  onReplyFailed?: (failure: SendFailure) => void;
}

/** Makes the bot of a config on this channel (its puppet, login settings …). */
export type ChannelFactory = (bot: BotConfig, deps: ChannelBotDeps) => Promise<ChannelBot>;
