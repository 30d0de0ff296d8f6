import { EventEmitter } from 'node:events';
import { WechatyBuilder, type Wechaty as WechatyInterface } from 'wechaty';
import * as PUPPET from 'wechaty-puppet';
import type { BotConfig } from '../config/bots.js';
import type { Logger } from '../log/logger.js';
import type { MemberKeyer } from '../audience/member-key.js';
import { NotInGroupError, PuppetError, TransportError } from './errors.js';
import { scrubSecrets } from '../log/secrets.js';
import { SendPacer, type Pacing } from './send-pacer.js';
import { waitUntil } from './precise-wait.js';

// Wechaty and the puppet service log through one brolog instance; keep it
// quiet (it can print tokens at verbose level) unless WECHATY_LOG asks.
PUPPET.log.level((process.env['WECHATY_LOG'] as 'silent' | 'error' | 'warn' | 'info' | undefined) ?? 'silent');

let guarded = false;

/**
 * A puppet service that refuses a token or drops the connection can leave a
 * rejected promise inside wechaty-puppet-service that nobody awaits; by
 * default that ends the process, and with it every other bot. Such gRPC
 * status errors are logged instead (the bot itself fails through Wechaty's
 * 'error' event); any other unhandled rejection still ends the process.
 */
function guardPuppetRejections(log: Logger): void {
  if (guarded) return;
  guarded = true;
  process.on('unhandledRejection', (reason) => {
    const r = reason as { code?: unknown; details?: unknown; stack?: unknown } | null;
    const fromPuppet = typeof r?.code === 'number' && typeof r.details === 'string' && /wechaty-puppet-service|grpc-js/.test(String(r.stack));
    if (!fromPuppet) throw reason;
    log.warn({ err: scrubSecrets(String(r.details)), grpcCode: r.code }, 'puppet service error after start (handled)');
  });
}

/** Events of one bot, for the fleet and the operator view. */
export interface BotEvents {
  login: [{ botId: string }];
  logout: [{ botId: string; reason: string }];
  /** Wechaty reported an error (the bot may still be working). */
  trouble: [{ botId: string; error: Error }];
}

export interface BotRunnerOptions {
  bot: BotConfig;
  puppet: PUPPET.impls.PuppetInterface;
  keyer: MemberKeyer;
  log: Logger;
  /** Give up on login after this long. @defaultValue 20000 */
  loginTimeoutMs?: number;
  /** How the bot's messages are spaced now (the dispatcher knows its back-off). @defaultValue its minimum gap */
  pacing?: () => Pacing;
  /** A reply failed to send (its error is thrown on too): a throttling sign backs the bot off. */
  onReplyFailed?: (err: unknown) => void;
}

/** What a bot sees of a room it is a member of. */
export interface RoomView {
  roomId: string;
  topic: string;
  /** Member WeChat ids (never stored: turned into counts and keys by the caller). */
  memberIds: string[];
}

/**
 * One WeChat account: a Wechaty instance over the bot's puppet. Knows how to
 * log in, list its rooms and post; everything else listens to its events.
 */
export class BotRunner extends EventEmitter<BotEvents> {
  readonly bot: BotConfig;
  readonly wechaty: WechatyInterface;
  private readonly log: Logger;
  private selfId: string | undefined;
  private online = false;
  private stopping = false;
  /** Ends the wait for login at once (the runner is stopped while it logs in). */
  private abortLogin: ((err: Error) => void) | undefined;
  private startup: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  /** Spaces every message of the bot, posts and replies alike. */
  private readonly pacer: SendPacer;
  /** The last message waiting for or in its turn (the next one goes after it). */
  private lastInTurn: Promise<void> = Promise.resolve();

  constructor(private readonly options: BotRunnerOptions) {
    super();
    this.bot = options.bot;
    this.log = options.log.child({ botId: options.bot.id });
    this.pacer = new SendPacer(options.pacing ?? (() => ({ gapMs: options.bot.limits.minGapMs, holdMs: 0 })));
    guardPuppetRejections(options.log);
    this.wechaty = WechatyBuilder.build({ puppet: options.puppet as never });
    this.wechaty.on('logout', (_user, reason) => {
      this.online = false;
      if (this.stopping) return;
      this.log.warn({ reason }, 'bot logged out');
      this.emit('logout', { botId: this.bot.id, reason: String(reason ?? 'logout') });
    });
    this.wechaty.on('error', (err) => {
      const error = err instanceof Error ? err : new Error(String(err));
      this.log.warn({ err: scrubSecrets(error.message) }, 'bot error');
      this.emit('trouble', { botId: this.bot.id, error });
    });
  }

  get isOnline(): boolean {
    return this.online;
  }

  /** Stopped, or being stopped, by its worker (its puppet may already be gone). */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** The bot's own WeChat id (known after login). */
  get contactId(): string | undefined {
    return this.selfId;
  }

  /** Start the puppet and wait for login; a failure names the bot and what to check. */
  start(): Promise<void> {
    this.startup = this.logIn();
    return this.startup;
  }

  private async logIn(): Promise<void> {
    const timeoutMs = this.options.loginTimeoutMs ?? 20_000;
    const loggedIn = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no login within ${timeoutMs / 1000} s`)), timeoutMs);
      this.abortLogin = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      this.wechaty.once('login', (user) => {
        clearTimeout(timer);
        this.selfId = user.id;
        resolve();
      });
      this.wechaty.once('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
    loggedIn.catch(() => undefined); // may end while the puppet still starts; awaited below
    try {
      if (this.stopping) throw new Error('stopped before it logged in');
      await this.wechaty.start();
      await loggedIn;
    } catch (err) {
      await this.wechaty.stop().catch(() => undefined);
      throw this.stopping ? new PuppetError(this.bot.id, 'start', 'stopped before it logged in', { cause: err }) : this.explainStartError(err);
    } finally {
      this.abortLogin = undefined;
    }
    this.online = true;
    this.log.info({ name: this.bot.name }, 'bot logged in');
    this.emit('login', { botId: this.bot.id });
  }

  /** Every room the bot is a member of, with its members. */
  async rooms(): Promise<RoomView[]> {
    const rooms = await this.wechaty.Room.findAll();
    const out: RoomView[] = [];
    for (const room of rooms) {
      const members = await room.memberAll();
      out.push({ roomId: room.id, topic: await room.topic(), memberIds: members.map((m) => m.id) });
    }
    return out;
  }

  /** One room by id, or undefined when the bot is not (or no longer) in it. */
  async room(roomId: string): Promise<RoomView | undefined> {
    const room = await this.wechaty.Room.find({ id: roomId });
    if (!room) return undefined;
    const members = await room.memberAll();
    return { roomId, topic: await room.topic(), memberIds: members.map((m) => m.id) };
  }

  /**
   * Post text to a room; returns the room's member ids at send time. Members
   * are read before posting, so an error here always means "not posted",
   * except a timeout, which the caller must treat as "maybe posted".
   * `stillWanted` is asked in the bot's turn, just before the send (the turn
   * may have waited for a reply or a cool-down): when it says no, nothing is
   * sent and the result is undefined.
   */
  say(roomId: string, text: string): Promise<string[]>;
  say(roomId: string, text: string, stillWanted: () => boolean): Promise<string[] | undefined>;
  async say(roomId: string, text: string, stillWanted?: () => boolean): Promise<string[] | undefined> {
    // member ids and the post straight through the puppet: loading a room the bot has not loaded yet
    // would also fetch every member's contact, one call each over gRPC
    if (!this.online) throw new PuppetError(this.bot.id, 'say', 'not logged in');
    const viaRoom = async (): Promise<string[]> => {
      const room = await this.wechaty.Room.find({ id: roomId });
      if (!room) throw new NotInGroupError(this.bot.id, roomId);
      return (await room.memberAll()).map((m) => m.id);
    };
    // an error or an empty list from the puppet proves nothing: ask through the room, as before
    let members = await this.wechaty.puppet.roomMemberList(roomId).catch(() => [] as string[]);
    if (members.length === 0) members = await viaRoom();
    if (this.selfId && !members.includes(this.selfId)) throw new NotInGroupError(this.bot.id, roomId);
    let sent = false;
    try {
      await this.inTurn(async () => {
        if (stillWanted && !stillWanted()) return;
        await this.wechaty.puppet.messageSendText(roomId, text);
        sent = true;
      });
    } catch (err) {
      throw new PuppetError(this.bot.id, 'say', scrubSecrets((err as Error).message), { cause: err });
    }
    return sent ? members : undefined;
  }

  /**
   * Send any other message of the bot (an answer, an introduction, a reply to
   * an officer) in its turn: at least the bot's gap after its last message,
   * campaign posts included.
   */
  async speak<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await this.inTurn(send);
    } catch (err) {
      this.options.onReplyFailed?.(err);
      throw err;
    }
  }

  /** Send in the bot's turn: one message at a time, each at least the bot's gap after the last one ended. */
  private async inTurn<T>(send: () => Promise<T>): Promise<T> {
    const before = this.lastInTurn;
    let done!: () => void;
    this.lastInTurn = new Promise<void>((resolve) => (done = resolve));
    try {
      await before;
      await waitUntil(this.pacer.next(performance.now()));
      return await send();
    } finally {
      this.pacer.ended(performance.now());
      done();
    }
  }

  /** Stop the bot; one still logging in stops waiting for its login at once. */
  stop(): Promise<void> {
    this.online = false;
    this.stopping = true;
    this.abortLogin?.(new Error('stopped before it logged in'));
    // once, and after a start under way has ended (a failed start stops the puppet itself): stopping a
    // puppet service that is still refusing the bot's token waits out its timeouts, each time it is asked
    this.stopped ??= (async () => {
      await this.startup?.catch(() => undefined);
      await this.wechaty.stop().catch((err: unknown) => this.log.debug({ err: scrubSecrets(String(err)) }, 'stop'));
    })();
    return this.stopped;
  }

  private explainStartError(err: unknown): Error {
    const msg = scrubSecrets((err as Error)?.message ?? String(err));
    const p = this.bot.puppet;
    if (p.name === 'wechaty-puppet-service') {
      const auth = /UNAUTHENTICATED|token|401|permission/i.test(msg);
      const what = auth
        ? `the puppet service at ${p.endpoint} refused the token: check ${p.tokenEnv}`
        : `cannot reach its puppet service at ${p.endpoint} (${msg}): check the endpoint and ${p.tokenEnv}`;
      return new TransportError(this.bot.id, `bot ${this.bot.id} (${this.bot.file}): ${what}`, { cause: err });
    }
    return new PuppetError(this.bot.id, 'start', msg, { cause: err });
  }
}
