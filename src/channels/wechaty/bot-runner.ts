// first: Wechaty and the puppet service log through one brolog instance, whose
// lines go through Zhimi's logger with tokens and raw WeChat ids scrubbed;
// WECHATY_LOG sets the level (silent by default; verbose and silly only in development)
import './wechaty-log-early.js';
import { EventEmitter } from 'node:events';
import { WechatyBuilder, type Contact, type Message, type RoomInvitation, type Wechaty as WechatyInterface } from 'wechaty';
import * as PUPPET from 'wechaty-puppet';
import type { BotConfig } from '../../config/bots.js';
import type { Logger } from '../../log/logger.js';
import type { MemberKeyer } from '../../audience/member-key.js';
import { NotInGroupError, PuppetError, TransportError, isConnectionLoss } from './errors.js';
import { sendCallFailure, toSendFailure } from './classify.js';
import { parseQuote } from './quote.js';
import type { ChannelBot, ChannelBotEvents, InboundMessage, RoomView } from '../channel.js';
import type { PostReceipt, SendFailure } from '../../delivery/channel-port.js';
import { scrubSecrets } from '../../log/secrets.js';
import { SendPacer, type Pacing } from '../../delivery/send-pacer.js';
import { sleep, waitUntil } from '../../shared/precise-wait.js';
import { forgetLoginQr, loginQrForTerminal, writeLoginQr } from './login-qr.js';
import { PuppetRestarter, type RestartablePuppet } from './puppet-restart.js';
import { CallsUnderWay, livenessAction, livenessOf, type LivenessLimits } from './liveness.js';
import { paths } from '../../config/paths.js';


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

/** Own messages remembered per room, and rooms remembered (a quote of one of them is a reply to the bot). */
const SAID_KEPT = 20;
const SAID_ROOMS = 5000;

/** A call before the send that a silent puppet service never answered: nothing was sent (a connection loss: the post moves). */
const silentBeforeSend = (): Error => new Error('puppet service went silent: no answer to the member list, nothing sent');
/** A send that a silent puppet service never answered: it may have gone out (a timeout: unknown, never resent). */
const silentInSend = (): Error => new Error('no answer from its puppet service to the send: timed out, the post may have gone out');



export interface BotRunnerOptions {
  bot: BotConfig;
  puppet: PUPPET.impls.PuppetInterface;
  keyer: MemberKeyer;
  log: Logger;
  /** Give up on login after this long. @defaultValue 20000 */
  loginTimeoutMs?: number;
  /** How long a login waits for its QR code to be scanned and confirmed on the phone (each new code starts it again). @defaultValue 600000 */
  scanWaitMs?: number;
  /** Where a QR code to scan is written. @defaultValue `paths.loginQr` (ZHIMI_LOGIN_QR_DIR, or `.zhimi/login-qr/`) */
  loginQrDir?: string;
  /** Wait before the n-th try (from 0) to reconnect to a puppet service that went away. @defaultValue 2 s, doubling, at most 60 s */
  reconnectDelayMs?: (attempt: number) => number;
  /** How the bot's messages are spaced now (the dispatcher knows its back-off). @defaultValue its minimum gap */
  pacing?: () => Pacing;
  /** A reply failed to send (its error is thrown on too), classified: a throttling sign backs the bot off. */
  onReplyFailed?: (failure: SendFailure) => void;
  /** Is this account one of the fleet's bots (in any worker)? Such members are never counted, nor answered. @defaultValue only itself */
  isFleetBot?: (contactId: string) => boolean;
  /** Silence of a puppet service before the bot asks it (`ding`), and before it counts the connection as lost. @defaultValue 10 s, 20 s */
  liveness?: LivenessLimits;
}

/** How a bot logs in, reconnects and watches its puppet service: production defaults, shortened by tests. */
export type BotRunnerTuning = Pick<BotRunnerOptions, 'loginTimeoutMs' | 'scanWaitMs' | 'loginQrDir' | 'reconnectDelayMs' | 'liveness'>;

/**
 * One WeChat account: a Wechaty instance over the bot's puppet, as a bot of
 * the channel (src/channels/channel.ts). Knows how to log in, list its rooms
 * and post; tells the fleet of invitations, joins, removals and messages as
 * plain data, with every person as a keyed hash.
 */
export class BotRunner extends EventEmitter<ChannelBotEvents> implements ChannelBot {
  readonly bot: BotConfig;
  readonly wechaty: WechatyInterface;
  private readonly log: Logger;
  private selfId: string | undefined;
  private online = false;
  /** Its first login ended: a login after this is the account coming back. */
  private loggedInBefore = false;
  private stopping = false;
  /** Ends a wait to reconnect at once when the bot is stopped. */
  private readonly stopSignal = new AbortController();
  /** Connections to its puppet service lost so far (a try to reconnect that started before the last loss is stale). */
  private losses = 0;
  /** Stops and starts the puppet to reconnect, without piling up wechaty-puppet's listeners. */
  private readonly restarter: PuppetRestarter;
  /** Reconnecting to a puppet service that went away. */
  private reconnecting: Promise<void> | undefined;
  /** Starts the wait for login again, as long as a QR scan needs (while a login waits). */
  private extendLogin: (() => void) | undefined;
  /** Ends the wait for login at once (the runner is stopped while it logs in). */
  private abortLogin: ((err: Error) => void) | undefined;
  private startup: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  /** Spaces every message of the bot, posts and replies alike. */
  private readonly pacer: SendPacer;
  /** Its own messages lately, per room (see `saidIn`). */
  private readonly said = new Map<string, string[]>();
  /** The last message waiting for or in its turn (the next one goes after it). */
  private lastInTurn: Promise<void> = Promise.resolve();
  /** The last sign of life from its puppet service (an event, a `dong`, an answered call), and whether it was asked since. */
  private lastSign = Date.now();
  private dinged = false;
  /** Calls to its puppet service under way: ended when a silent connection is given up (they would wait for ever). */
  private readonly calls = new CallsUnderWay();
  private readonly livenessTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BotRunnerOptions) {
    super();
    this.bot = options.bot;
    this.log = options.log.child({ botId: options.bot.id });
    this.pacer = new SendPacer(options.pacing ?? (() => ({ gapMs: options.bot.limits.minGapMs, holdMs: 0 })));
    guardPuppetRejections(options.log);
    this.wechaty = WechatyBuilder.build({ puppet: options.puppet as never });
    this.restarter = new PuppetRestarter(options.puppet as unknown as RestartablePuppet);
    this.wechaty.on('logout', (_user, reason) => {
      this.online = false;
      // stopped on purpose, or the puppet's own stop while it reconnects: not news
      if (this.stopping || this.reconnecting) return;
      this.log.warn({ reason }, 'bot logged out');
      this.emit('logout', { botId: this.bot.id, reason: String(reason ?? 'logout') });
    });
    // the account back after a logout: a puppet service that reconnects (a dropped connection, its watchdog's reset)
    // or the account logging in again; the first login is awaited in logIn
    this.wechaty.on('login', (user) => {
      if (this.loggedInBefore) this.comeBack(user.id);
    });
    this.wechaty.on('scan', (qrcode, status) => void this.onScan(qrcode, status));
    // what happens in groups, as plain data with keyed hashes (see the channel's contract)
    this.wechaty.on('room-invite', (inv) => void this.onInvite(inv).catch((err: unknown) => this.handlerFailed('room-invite', err)));
    this.wechaty.on('room-join', (room, invitees, inviter) => {
      if (invitees.some((c) => c.id === this.selfId)) this.emit('joined', { roomId: room.id, inviterKey: inviter ? this.key(inviter) : undefined });
      else this.emit('room-changed', { roomId: room.id });
    });
    this.wechaty.on('room-leave', (room, leavers, remover) => {
      if (leavers.some((c) => c.id === this.selfId)) this.emit('left', { roomId: room.id, removerKey: remover ? this.key(remover) : undefined });
      else this.emit('room-changed', { roomId: room.id });
    });
    this.wechaty.on('room-topic', (room) => void this.emit('room-changed', { roomId: room.id }));
    this.wechaty.on('message', (msg) => void this.onMessage(msg).catch((err: unknown) => this.handlerFailed('message', err)));
    this.wechaty.on('error', (err) => {
      const error = err instanceof Error ? err : new Error(String(err));
      if (isConnectionLoss(error) || this.reconnecting) {
        this.lostConnection(error.message);
        return;
      }
      // the bot may still be working: said, and its next send tells
      this.log.warn({ err: error }, 'bot error');
    });
    const sign = (): void => this.noteSign();
    for (const event of ['heartbeat', 'dong', 'message', 'ready', 'room-join', 'room-leave', 'room-topic', 'room-invite', 'friendship'] as const) this.wechaty.on(event as 'heartbeat', sign);
    const limits = livenessOf(options.bot, options.liveness);
    if (limits) {
      this.livenessTimer = setInterval(() => this.checkAlive(limits), Math.max(20, Math.min(1000, limits.dingAfterMs / 4)));
      this.livenessTimer.unref();
    }
  }

  private key(c: Contact): string {
    return this.options.keyer(c.id);
  }

  /** A member of the fleet (any worker's bot) or the bot itself: never counted, never answered. */
  private isFleetBot(contactId: string): boolean {
    return contactId === this.selfId || (this.options.isFleetBot?.(contactId) ?? false);
  }

  private async onInvite(inv: RoomInvitation): Promise<void> {
    const inviter = await inv.inviter();
    this.emit('invite', { inviterKey: this.key(inviter), topic: await inv.topic(), accept: () => inv.accept() });
  }

  private async onMessage(msg: Message): Promise<void> {
    this.trimPools();
    if (msg.self() || msg.type() !== this.wechaty.Message.Type.Text) return;
    const talker = msg.talker();
    const room = msg.room();
    const raw = msg.text();
    const quote = parseQuote(raw);
    const inbound: InboundMessage = {
      id: msg.id,
      botId: this.bot.id,
      roomId: room?.id,
      senderKey: this.key(talker),
      fromFleetBot: this.isFleetBot(talker.id),
      mentionsBot: room ? await msg.mentionSelf() : false,
      text: quote ? quote.reply : raw,
      quoted: quote ? { name: quote.quotedName, text: quote.quoted, fromBot: this.saidIn(room?.id, quote.quoted) } : undefined,
      sentAt: msg.date(),
      reply: (text) => this.speak(async () => {
        if (room) await room.say(text, talker);
        else await msg.say(text);
        this.remember(room?.id, text);
      }),
    };
    this.emit('message', inbound);
  }

  /** What this account said lately in a room (its own messages: a quote of one is a reply to the bot, whatever name it shows). */
  private remember(roomId: string | undefined, text: string): void {
    if (!roomId) return;
    const said = this.said.get(roomId) ?? [];
    said.push(text);
    if (said.length > SAID_KEPT) said.shift();
    this.said.delete(roomId); // most recently used last
    this.said.set(roomId, said);
    if (this.said.size > SAID_ROOMS) this.said.delete(this.said.keys().next().value!);
  }

  /** Did this account say the quoted text lately in the room? (WeChat shows a quote's beginning only.) */
  private saidIn(roomId: string | undefined, quoted: string): boolean {
    const q = quoted.trim().replace(/…$/u, '');
    return q.length > 0 && (this.said.get(roomId ?? '') ?? []).some((t) => t.startsWith(q));
  }

  private handlerFailed(event: string, err: unknown): void {
    const fields = { event, err };
    if (this.stopping) this.log.debug(fields, 'event handling ended by the bot stopping');
    else this.log.error(fields, 'could not read an event of the puppet');
  }

  private noteSign(): void {
    this.lastSign = Date.now();
    this.dinged = false;
  }

  /**
   * A puppet service silent for too long while the bot is online: asked
   * first, then counted as a lost connection (see `liveness.ts`).
   */
  private checkAlive(limits: LivenessLimits): void {
    if (!this.online || this.stopping) return;
    const silentMs = Date.now() - this.lastSign;
    const action = livenessAction(silentMs, this.dinged, limits);
    if (action === 'ding') {
      this.dinged = true;
      void Promise.resolve()
        .then(() => this.wechaty.puppet.ding('zhimi'))
        // an unanswered ding is what the watch measures: its silence, not this error, takes the bot offline
        .catch((err: unknown) => this.log.debug({ err }, 'ding not answered'));
    } else if (action === 'lost') {
      // its calls under way never end on their own: a post being sent may have gone out (unknown, never resent)
      this.calls.endAll();
      this.lostConnection(`puppet service went silent: no answer for ${Math.round(silentMs / 1000)} s`);
    }
  }

  /**
   * The puppet service went away (a network outage, the service restarting):
   * the bot is offline — its posts go to other member bots — and it
   * reconnects on its own, further apart each time, until it is back or stopped.
   */
  private lostConnection(reason: string): void {
    if (!this.loggedInBefore || this.stopping) return;
    if (this.online) {
      this.online = false;
      this.losses++;
      this.log.warn({ err: scrubSecrets(reason) }, 'lost the connection to its puppet service; reconnecting (its posts go to other bots meanwhile)');
      this.emit('logout', { botId: this.bot.id, reason: `puppet connection lost: ${scrubSecrets(reason)}` });
    } else {
      this.log.debug({ err: scrubSecrets(reason) }, 'puppet service still unreachable');
    }
    this.startReconnecting();
  }

  /**
   * A puppet that is off while its bot should run — a reset of the puppet's
   * own (wechaty-puppet-service resets a connection silent for about a
   * minute) whose start failed, without an error that says so — is started
   * again. The worker asks at every tick.
   */
  keepConnected(): void {
    if (!this.loggedInBefore || this.online || this.stopping || this.reconnecting || this.wechaty.puppet.state.active()) return;
    this.log.info('its puppet is off (a reset that did not start it again): reconnecting');
    this.startReconnecting();
  }

  private startReconnecting(): void {
    this.reconnecting ??= this.reconnect().finally(() => (this.reconnecting = undefined));
  }

  private async reconnect(): Promise<void> {
    const delayMs = this.options.reconnectDelayMs ?? ((n: number) => Math.min(60_000, 2000 * 2 ** n));
    for (let attempt = 0; !this.stopping && !this.online; attempt++) {
      await sleep(delayMs(attempt), this.stopSignal.signal);
      if (this.stopping || this.online) return;
      const losses = this.losses;
      // stop and start the puppet: a new connection and event stream. A start that fails leaves the puppet off
      // (its own reset would then do nothing): the next try starts it again.
      const puppet = this.wechaty.puppet;
      let connected = true;
      await this.restarter.restart().catch((err: unknown) => {
        connected = false;
        this.log.debug({ err, attempt }, 'puppet service still unreachable');
      });
      if (!connected) continue;
      // connected: a service that still holds the account logged in says so a moment later (the login
      // listener above brings the bot back); one whose account was logged out meanwhile shows a QR code to scan
      for (let waited = 0; waited < 5000 && !this.online && !this.stopping; waited += 100) await sleep(100, this.stopSignal.signal);
      if (this.stopping || this.online) return;
      // lost again meanwhile: try again
      if (losses !== this.losses) continue;
      if (puppet.isLoggedIn) this.comeBack(puppet.currentUserId);
      else this.log.warn('puppet service reachable again, but the account is not logged in there: it must be logged in (a QR code to scan)');
      return;
    }
  }

  /**
   * The account must be logged in by scanning a QR code with its phone (a
   * new account, or one logged out): the code goes to a file the operator
   * opens (and to the terminal, when there is one); a login waiting for it
   * waits as long as a person needs.
   */
  private async onScan(qrcode: string, status: PUPPET.types.ScanStatus): Promise<void> {
    if (this.stopping) return;
    const S = PUPPET.types.ScanStatus;
    if ((status === S.Waiting || status === S.Timeout) && qrcode) {
      this.extendLogin?.();
      try {
        const file = await writeLoginQr(this.qrDir, this.bot.id, qrcode);
        this.log.warn({ file }, 'the bot\'s WeChat account is not logged in: scan the QR code in this file with the account\'s phone');
        this.emit('scan', { botId: this.bot.id, file, qrcode });
        if (process.stderr.isTTY) process.stderr.write(`${this.bot.id} (${this.bot.name}): scan with the account's phone\n${await loginQrForTerminal(qrcode)}\n`);
      } catch (err) {
        this.log.error({ err }, 'could not write the QR code to scan');
      }
    } else if (status === S.Scanned) {
      this.extendLogin?.();
      this.log.info('QR code scanned: confirm the login on the phone');
    } else if (status === S.Cancel) {
      this.log.warn('login cancelled on the phone; a new QR code follows');
    }
  }

  private get qrDir(): string {
    return this.options.loginQrDir ?? paths.loginQr;
  }

  /** Logged in again after a logout or a lost connection: back online, if as the same account. */
  private comeBack(userId: string): void {
    if (this.online || this.stopping) return;
    if (userId !== this.selfId) {
      this.log.error('the puppet logged in as a different WeChat account than before; the bot stays offline (check the account of its token)');
      return;
    }
    this.noteSign(); // online (again): signs of life count from now
    this.online = true;
    this.log.info({ name: this.bot.name }, 'bot logged in again');
    void forgetLoginQr(this.qrDir, this.bot.id).catch((err: unknown) => this.log.warn({ err }, 'could not remove the used QR code file'));
    this.emit('relogin', { botId: this.bot.id });
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
      let timer = setTimeout(() => reject(new Error(`no login within ${timeoutMs / 1000} s`)), timeoutMs);
      // a QR code to scan: a person has to pick up the phone (each new code, or a scan, starts the wait again)
      this.extendLogin = () => {
        const waitMs = this.options.scanWaitMs ?? 600_000;
        clearTimeout(timer);
        timer = setTimeout(() => reject(new Error(`no login within ${waitMs / 1000} s: its QR code was not scanned and confirmed on the phone`)), waitMs);
      };
      this.abortLogin = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      this.wechaty.once('login', (user) => {
        clearTimeout(timer);
        this.selfId = user.id;
        void forgetLoginQr(this.qrDir, this.bot.id).catch((err: unknown) => this.log.warn({ err }, 'could not remove the used QR code file'));
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
      await this.wechaty.stop().catch((stopErr: unknown) => this.log.debug({ err: stopErr }, 'stop after a failed start'));
      throw this.stopping ? new PuppetError(this.bot.id, 'start', 'stopped before it logged in', { cause: err }) : this.explainStartError(err);
    } finally {
      this.abortLogin = undefined;
      this.extendLogin = undefined;
    }
    this.noteSign(); // online (again): signs of life count from now
    this.online = true;
    this.loggedInBefore = true;
    this.log.info({ name: this.bot.name }, 'bot logged in');
    this.emit('login', { botId: this.bot.id });
  }

  /** The ids of every room the bot is a member of. */
  roomIds(): Promise<string[]> {
    return this.wechaty.puppet.roomList();
  }

  /**
   * One room by id, or undefined when the bot is not (or no longer) in it.
   * Read by id through the puppet: its topic and member ids. A Wechaty `Room`
   * would also fetch and keep every member's contact (one call each over
   * gRPC, kept for the process's life): 0.7 KB a member, gigabytes for a
   * fleet in 69,000 groups.
   */
  async room(roomId: string): Promise<RoomView | undefined> {
    let topic: string;
    try {
      topic = (await this.loadRoom(roomId)).topic ?? '';
    } catch (err) {
      // as Room.find({ id }) says it: no payload, no room
      this.log.debug({ err, roomId }, 'room not found');
      return undefined;
    }
    const memberIds = await this.wechaty.puppet.roomMemberList(roomId);
    this.trimPools();
    return { roomId, topic, memberKeys: memberIds.filter((id) => !this.isFleetBot(id)).map((id) => this.options.keyer(id)) };
  }

  /**
   * A room's payload from the puppet, set on Wechaty's pooled `Room` when it
   * has none: a message in the room (the echo of each post the bot makes
   * included) then finds it ready, instead of fetching and keeping every
   * member's contact first (one gRPC call each: at 100 members a group, most
   * of a sending worker's memory and time).
   */
  private async loadRoom(roomId: string): Promise<PUPPET.payloads.Room> {
    const payload = await this.wechaty.puppet.roomPayload(roomId);
    // (`load`, which Room.find uses to pool a room, is left out of Wechaty's public type)
    const rooms = this.wechaty.Room as unknown as { load(id: string): { payload?: PUPPET.payloads.Room } };
    rooms.load(roomId).payload ??= payload;
    return payload;
  }

  /**
   * Wechaty keeps every room and contact it has loaded (a message's room and
   * sender, an invitation's inviter) in pools that never shrink; past these
   * sizes they are emptied (what is still in use stays usable, later loads
   * make new ones).
   */
  private trimPools(): void {
    const pools: [Map<string, unknown>, number][] = [[this.wechaty.Contact.pool, 2_000], [this.wechaty.Room.pool, 500]];
    for (const [pool, most] of pools) if (pool.size > most) pool.clear();
  }

  /**
   * Post a campaign text (see PostingBot): the members at send time as a
   * receipt (residents only, keyed on demand), every failure classified.
   */
  async post(roomId: string, text: string, stillWanted?: () => boolean): Promise<PostReceipt | undefined> {
    let memberIds: string[] | undefined;
    try {
      memberIds = stillWanted ? await this.say(roomId, text, stillWanted) : await this.say(roomId, text);
    } catch (err) {
      throw toSendFailure(err, this.online);
    }
    if (!memberIds) return undefined;
    const humans = memberIds.filter((id) => !this.isFleetBot(id));
    let keys: string[] | undefined;
    return { reach: humans.length, memberKeys: () => (keys ??= humans.map(this.options.keyer)) };
  }

  /** Say something in a group in the bot's turn. */
  async announce(roomId: string, text: string): Promise<void> {
    const room = await this.wechaty.Room.find({ id: roomId });
    if (!room) throw new NotInGroupError(this.bot.id, roomId);
    await this.speak(() => room.say(text));
    this.remember(roomId, text);
  }

  /** Leave a group. */
  async leave(roomId: string): Promise<void> {
    const room = await this.wechaty.Room.find({ id: roomId });
    await room?.quit();
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
    let members: string[];
    try {
      members = await this.calls.guard(this.wechaty.puppet.roomMemberList(roomId).catch(() => [] as string[]), silentBeforeSend);
      if (members.length === 0) members = await this.calls.guard(viaRoom(), silentBeforeSend);
      this.noteSign();
    } catch (err) {
      // nothing was sent: a service gone takes the bot offline (its posts wait or move, not failures of theirs)
      if (isConnectionLoss(err)) this.lostConnection((err as Error).message);
      throw err;
    }
    if (this.selfId && !members.includes(this.selfId)) throw new NotInGroupError(this.bot.id, roomId);
    // (only to spare the echo's member fetches: a room whose payload cannot be read now is sent to all the same)
    await this.loadRoom(roomId).catch(() => undefined);
    let sent = false;
    try {
      await this.inTurn(async () => {
        if (stillWanted && !stillWanted()) return;
        await this.calls.guard(this.wechaty.puppet.messageSendText(roomId, text), silentInSend);
        this.noteSign();
        sent = true;
        this.remember(roomId, text);
      });
    } catch (err) {
      // the bot is offline until it reconnects: a post that did not go out waits or moves (not a failure of it)
      if (isConnectionLoss(err)) this.lostConnection((err as Error).message);
      throw sendCallFailure(new PuppetError(this.bot.id, 'say', scrubSecrets((err as Error).message), { cause: err }), this.online);
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
      this.options.onReplyFailed?.(toSendFailure(err, this.online));
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

  /**
   * Stop the bot; one still logging in stops waiting for its login at once.
   * Resolves once the message in hand ended and the bot's gap after it has
   * passed: whoever runs the bot next (the worker it is handed to, after this
   * one gives its lease back) may send at once without posting inside the gap.
   */
  stop(): Promise<void> {
    this.online = false;
    this.stopping = true;
    clearInterval(this.livenessTimer);
    this.stopSignal.abort();
    this.abortLogin?.(new Error('stopped before it logged in'));
    // once, and after a start under way has ended (a failed start stops the puppet itself): stopping a
    // puppet service that is still refusing the bot's token waits out its timeouts, each time it is asked
    this.stopped ??= (async () => {
      await this.startup?.catch(() => undefined);
      await this.wechaty.stop().catch((err: unknown) => this.log.debug({ err }, 'stop'));
      // (a cool-down is not waited out: it is this worker's caution, and would hold a shutdown for minutes)
      await waitUntil(this.pacer.gapEndsAt());
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
