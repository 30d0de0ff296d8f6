import * as PUPPET from 'wechaty-puppet';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import type { SimWorld } from './world.js';
import type { SimMessage } from './world-model.js';
import { StartListeners } from '../channels/wechaty/puppet-restart.js';

/** How often a simulated puppet sends a heartbeat (wechaty-puppet-service's client resets a connection silent for 60 s). */
export const SIM_HEARTBEAT_MS = 15_000;

/** Faults a simulated account can show, switchable at run time (used by delivery tests). */
export interface SimFaults {
  /** Delay every send by this many ms. */
  sendDelayMs?: number;
  /** Throw this error text on every send while set. */
  sendError?: string;
  /** Past this many sends in a sliding minute, refuse with WeChat's "发送消息过于频繁" (as a throttled account does). */
  throttleAbovePerMinute?: number;
  /** Deliver every message to the bot twice, moments apart (as some puppets do). */
  deliverTwice?: boolean;
  /** The account is not logged in when the puppet starts: it shows a QR code and logs in once it is scanned (`simulateLogin`). */
  needsScan?: boolean;
  /** Every room gets a new id when the bot's puppet service comes back (as some puppets do after a restart). */
  newRoomIdsOnReconnect?: boolean;
}

export interface SimPuppetOptions {
  world: SimWorld;
  botId: string;
}

/**
 * One WeChat account in the simulated world: a PuppetMock whose contacts,
 * rooms and messages come from the shared {@link SimWorld}. It logs in as
 * soon as it is started (as a puppet service that is already logged in does).
 */
export class SimPuppet extends PuppetMock {
  readonly world: SimWorld;
  readonly botId: string;
  readonly contactId: string;
  faults: SimFaults = {};
  /** QR codes shown to log the account in so far. */
  qrShown = 0;
  /** Send attempts refused because of throttling (for tests). */
  throttled = 0;
  private readonly sendTimes: number[] = [];
  private readonly unsubscribe: (() => void)[] = [];

  constructor(o: SimPuppetOptions) {
    super({ mocker: new mock.Mocker() });
    this.world = o.world;
    this.botId = o.botId;
    this.contactId = o.world.botContactId(o.botId);
    // a bot that reconnects stops and starts its account through the puppet service: without this, each start
    // would leave wechaty-puppet's listeners behind (see StartListeners); a start while it runs changes nothing
    const started = new StartListeners(this);
    const start = this.start.bind(this);
    const stop = this.stop.bind(this);
    this.start = async () => {
      if (!this.state.active()) await started.during(start);
    };
    this.stop = async () => {
      await stop();
      started.removeAdded();
    };
  }

  override async onStart(): Promise<void> {
    const onMessage = (m: SimMessage): void => {
      if (!this.sees(m)) return;
      this.emit('message', { messageId: m.id });
      if (this.faults.deliverTwice) setTimeout(() => this.emit('message', { messageId: m.id }), 20).unref();
    };
    const onJoin = (e: { roomId: string; inviteeIds: string[]; inviterId: string; timestamp: number }): void => {
      if (!this.inRoom(e.roomId)) return;
      this.dirtyPayload(PUPPET.types.Payload.Room, e.roomId);
      this.emit('room-join', { roomId: e.roomId, inviteeIdList: e.inviteeIds, inviterId: e.inviterId, timestamp: e.timestamp });
    };
    const onLeave = (e: { roomId: string; removeeIds: string[]; removerId: string; timestamp: number }): void => {
      if (!this.inRoom(e.roomId) && !e.removeeIds.includes(this.contactId)) return;
      this.dirtyPayload(PUPPET.types.Payload.Room, e.roomId);
      this.emit('room-leave', { roomId: e.roomId, removeeIdList: e.removeeIds, removerId: e.removerId, timestamp: e.timestamp });
    };
    const onTopic = (e: { roomId: string; newTopic: string; oldTopic: string; changerId: string; timestamp: number }): void => {
      if (!this.inRoom(e.roomId)) return;
      this.dirtyPayload(PUPPET.types.Payload.Room, e.roomId);
      this.emit('room-topic', e);
    };
    const onInvite = (inv: { id: string; inviteeId: string }): void => {
      if (inv.inviteeId === this.contactId) this.emit('room-invite', { roomInvitationId: inv.id });
    };
    this.world.on('room-invite', onInvite);
    this.unsubscribe.push(() => this.world.off('room-invite', onInvite));
    this.world.on('message', onMessage);
    this.world.on('room-join', onJoin);
    this.world.on('room-leave', onLeave);
    this.world.on('room-topic', onTopic);
    this.unsubscribe.push(
      () => this.world.off('message', onMessage),
      () => this.world.off('room-join', onJoin),
      () => this.world.off('room-leave', onLeave),
      () => this.world.off('room-topic', onTopic),
    );
    // a live puppet service beats: without it the client's watchdog resets an idle bot's connection after 60 s
    const beat = setInterval(() => {
      if (this.isLoggedIn) this.emit('heartbeat', { data: 'simulator heartbeat' });
    }, SIM_HEARTBEAT_MS);
    beat.unref();
    this.unsubscribe.push(() => clearInterval(beat));
    setImmediate(() => {
      if (this.isLoggedIn) return;
      if (this.faults.needsScan) this.showLoginQr();
      else this.login(this.contactId);
    });
  }

  /** A QR code for the account's phone to scan, as WeChat shows a logged-out account. */
  private showLoginQr(): void {
    this.qrShown++;
    this.emit('scan', { qrcode: `zhimi-sim-login:${this.botId}:${this.qrShown}`, status: PUPPET.types.ScanStatus.Waiting });
  }

  override async onStop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  override async contactRawPayload(id: string): Promise<PUPPET.payloads.Contact> {
    // Wechaty asks for a "contact" with a room id when a room's member list is
    // marked dirty (RoomMember dirty → Contact.find): answer rather than throw.
    const c = this.world.contacts.get(id) ?? { id, name: this.world.rooms.get(id)?.topic ?? id };
    return { id: c.id, name: c.name, gender: PUPPET.types.ContactGender.Unknown, type: PUPPET.types.Contact.Individual, avatar: '', phone: [] };
  }

  override async contactList(): Promise<string[]> {
    return [...this.world.contacts.keys()];
  }

  override async roomRawPayload(id: string): Promise<PUPPET.payloads.Room> {
    const r = this.world.rooms.get(id);
    if (!r) throw new Error(`no room ${id}`);
    return { id: r.id, topic: r.topic, memberIdList: [...r.memberIds], ownerId: r.ownerId, adminIdList: [], avatar: '' };
  }

  override async roomList(): Promise<string[]> {
    return this.world.roomsOf(this.contactId).map((r) => r.id);
  }

  override async roomMemberList(roomId: string): Promise<string[]> {
    return [...(this.world.rooms.get(roomId)?.memberIds ?? [])];
  }

  override async roomMemberRawPayload(roomId: string, contactId: string): Promise<PUPPET.payloads.RoomMember> {
    void roomId;
    const c = this.world.contacts.get(contactId);
    return { id: contactId, name: c?.name ?? contactId, avatar: '' };
  }

  override async roomTopic(roomId: string): Promise<string>;
  override async roomTopic(roomId: string, topic: string): Promise<void>;
  override async roomTopic(roomId: string, topic?: string): Promise<string | void> {
    if (topic === undefined) return this.world.rooms.get(roomId)?.topic ?? '';
    this.world.setTopic(roomId, topic, this.contactId);
  }

  override async roomQuit(roomId: string): Promise<void> {
    this.world.removeMembers(roomId, [this.contactId], this.contactId);
  }

  override async roomInvitationRawPayload(id: string): Promise<PUPPET.payloads.RoomInvitation> {
    const inv = this.world.invitations.get(id);
    if (!inv) throw new Error(`no invitation ${id}`);
    const room = this.world.rooms.get(inv.roomId)!;
    return {
      id,
      inviterId: inv.inviterId,
      topic: room.topic,
      avatar: '',
      invitation: '',
      memberCount: room.memberIds.length,
      memberIdList: [...room.memberIds],
      timestamp: inv.timestamp,
      receiverId: inv.inviteeId,
    };
  }

  override async roomInvitationRawPayloadParser(raw: PUPPET.payloads.RoomInvitation): Promise<PUPPET.payloads.RoomInvitation> {
    return raw;
  }

  override async roomInvitationAccept(id: string): Promise<void> {
    this.world.acceptInvitation(id);
  }

  override async messageRawPayload(id: string): Promise<PUPPET.payloads.Message> {
    const m = this.world.messages.get(id);
    if (!m) throw new Error(`no message ${id}`);
    const base = { id: m.id, talkerId: m.talkerId, text: m.text, timestamp: m.timestamp, type: PUPPET.types.Message.Text };
    return m.roomId
      ? { ...base, roomId: m.roomId, mentionIdList: m.mentionIds }
      : { ...base, listenerId: m.listenerId ?? this.contactId };
  }

  override async messageSendText(conversationId: string, text: string, mentionIdList?: string[]): Promise<void> {
    if (!this.isLoggedIn) throw new Error('not logged in');
    const { sendDelayMs, sendError } = this.faults;
    if (sendDelayMs) await new Promise((r) => setTimeout(r, sendDelayMs));
    if (sendError) throw new Error(sendError);
    const limit = this.faults.throttleAbovePerMinute;
    if (limit !== undefined) {
      const now = Date.now();
      while (this.sendTimes.length && this.sendTimes[0]! <= now - 60_000) this.sendTimes.shift();
      if (this.sendTimes.length >= limit) {
        this.throttled++;
        throw new Error('发送消息过于频繁，请稍后再试');
      }
      this.sendTimes.push(now);
    }
    const isRoom = conversationId.endsWith('@chatroom');
    if (isRoom && !this.inRoom(conversationId)) throw new Error(`not a member of room ${conversationId}`);
    this.world.post({
      talkerId: this.contactId,
      text,
      mentionIds: mentionIdList ?? [],
      ...(isRoom ? { roomId: conversationId } : { listenerId: conversationId }),
    });
  }

  /** The account is logged out (banned, kicked, or the phone logged out); a QR code to log in again follows. */
  async simulateLogout(reason = 'simulated logout'): Promise<void> {
    await this.logout(reason);
    this.showLoginQr();
  }

  /** The account's phone scans the QR code and confirms: it logs in (again). */
  simulateLogin(): void {
    if (this.isLoggedIn) return;
    if (this.qrShown > 0) {
      this.emit('scan', { qrcode: '', status: PUPPET.types.ScanStatus.Scanned });
      this.emit('scan', { qrcode: '', status: PUPPET.types.ScanStatus.Confirmed });
    }
    this.login(this.contactId);
  }

  private inRoom(roomId: string): boolean {
    return this.world.rooms.get(roomId)?.memberIds.includes(this.contactId) ?? false;
  }

  /** Deliver earlier messages again, same ids and times (as puppets replay recent history after a restart). */
  redeliver(messageIds: readonly string[]): void {
    for (const id of messageIds) if (this.world.messages.has(id)) this.emit('message', { messageId: id });
  }

  private sees(m: SimMessage): boolean {
    if (m.roomId) return this.inRoom(m.roomId);
    return m.listenerId === this.contactId || m.talkerId === this.contactId;
  }
}
