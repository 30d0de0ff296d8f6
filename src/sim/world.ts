import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { GeneratedWorld } from './generate-world.js';
import type { SimBot, SimInvitation, SimMessage, SimRoom } from './world-model.js';
import { SimContacts } from './sim-contacts.js';

/** What happens in the simulated world, for puppets and for tests. */
export interface WorldEvents {
  message: [SimMessage];
  'room-join': [{ roomId: string; inviteeIds: string[]; inviterId: string; timestamp: number }];
  'room-leave': [{ roomId: string; removeeIds: string[]; removerId: string; timestamp: number }];
  'room-invite': [SimInvitation];
  'room-topic': [{ roomId: string; newTopic: string; oldTopic: string; changerId: string; timestamp: number }];
}

/**
 * Seam for member behaviour (replies, questions, clicks): called after every
 * message a bot posts to a room. The default does nothing.
 */
export interface MemberBehaviour {
  onBotPost(world: SimWorld, message: SimMessage): void;
}

/**
 * The shared state of the simulated WeChat: contacts, rooms and every
 * message, with the receive time the simulator saw. Puppets of all bots read
 * and write it, so bots in one room see each other's posts.
 */
export class SimWorld extends EventEmitter<WorldEvents> {
  readonly contacts: SimContacts;
  readonly rooms = new Map<string, SimRoom>();
  readonly messages = new Map<string, SimMessage>();
  readonly invitations = new Map<string, SimInvitation>();
  readonly bots: SimBot[];
  behaviour: MemberBehaviour | undefined;

  constructor(world: GeneratedWorld) {
    super();
    this.setMaxListeners(0);
    this.contacts = new SimContacts(world.contacts, world.residents);
    for (const r of world.rooms) this.rooms.set(r.id, { ...r, memberIds: [...r.memberIds] });
    this.bots = world.bots;
  }

  botContactId(botId: string): string {
    const bot = this.bots.find((b) => b.botId === botId);
    if (!bot) throw new Error(`no simulated bot ${botId}`);
    return bot.contactId;
  }

  roomsOf(contactId: string): SimRoom[] {
    return [...this.rooms.values()].filter((r) => r.memberIds.includes(contactId));
  }

  /** Post a message (from a member, an officer or a bot) and tell every puppet. */
  post(input: Omit<SimMessage, 'id' | 'timestamp'> & { timestamp?: number }): SimMessage {
    if (input.roomId) {
      const room = this.rooms.get(input.roomId);
      if (!room) throw new Error(`no room ${input.roomId}`);
      if (!room.memberIds.includes(input.talkerId)) throw new Error(`${input.talkerId} is not a member of ${input.roomId}`);
    }
    const message: SimMessage = { ...input, id: randomUUID(), timestamp: input.timestamp ?? Date.now() };
    this.messages.set(message.id, message);
    this.emit('message', message);
    if (this.behaviour && message.roomId && this.contacts.get(message.talkerId)?.kind === 'bot') {
      this.behaviour.onBotPost(this, message);
    }
    return message;
  }

  /** Messages a contact posted in rooms, oldest first (the receiving side's record). */
  postsBy(contactId: string): SimMessage[] {
    return [...this.messages.values()].filter((m) => m.talkerId === contactId && m.roomId);
  }

  /** Members of a room who are people, not fleet bots. */
  humanMemberCount(roomId: string): number {
    const room = this.rooms.get(roomId);
    if (!room) return 0;
    return room.memberIds.filter((id) => this.contacts.get(id)?.kind !== 'bot').length;
  }

  addMembers(roomId: string, inviteeIds: string[], inviterId: string): void {
    const room = this.mustRoom(roomId);
    for (const id of inviteeIds) if (!room.memberIds.includes(id)) room.memberIds.push(id);
    this.emit('room-join', { roomId, inviteeIds, inviterId, timestamp: Date.now() });
  }

  removeMembers(roomId: string, removeeIds: string[], removerId: string): void {
    const room = this.mustRoom(roomId);
    room.memberIds = room.memberIds.filter((id) => !removeeIds.includes(id));
    this.emit('room-leave', { roomId, removeeIds, removerId, timestamp: Date.now() });
  }

  /** An officer (or a stranger) invites a contact into a room; the invitee's puppet sees a room invitation. */
  invite(roomId: string, inviterId: string, inviteeId: string): SimInvitation {
    const room = this.mustRoom(roomId);
    if (!room.memberIds.includes(inviterId)) throw new Error(`${inviterId} is not a member of ${roomId}`);
    const inv: SimInvitation = { id: randomUUID(), roomId, inviterId, inviteeId, timestamp: Date.now(), accepted: false };
    this.invitations.set(inv.id, inv);
    this.emit('room-invite', inv);
    return inv;
  }

  acceptInvitation(id: string): void {
    const inv = this.invitations.get(id);
    if (!inv) throw new Error(`no invitation ${id}`);
    if (inv.accepted) return;
    inv.accepted = true;
    this.addMembers(inv.roomId, [inv.inviteeId], inv.inviterId);
  }

  /**
   * Give every room a new id, as some puppets do after a restart. Members,
   * topics and history stay; returns old id → new id.
   */
  reidentifyRooms(): Map<string, string> {
    const moved = new Map<string, string>();
    for (const [id, room] of [...this.rooms.entries()]) {
      const next = `${id.replace(/@chatroom$/, '')}r@chatroom`;
      this.rooms.delete(id);
      room.id = next;
      this.rooms.set(next, room);
      moved.set(id, next);
    }
    return moved;
  }

  /** Contacts posting with an @-mention of a bot, the way WeChat shows it. */
  mention(roomId: string, talkerId: string, botId: string, text: string, displayName = this.contacts.get(this.botContactId(botId))?.name ?? ''): SimMessage {
    return this.post({ roomId, talkerId, text: `@${displayName}\u2005${text}`, mentionIds: [this.botContactId(botId)] });
  }

  /** Messages posted in a room, oldest first. */
  roomMessages(roomId: string): SimMessage[] {
    return [...this.messages.values()].filter((m) => m.roomId === roomId);
  }

  setTopic(roomId: string, newTopic: string, changerId: string): void {
    const room = this.mustRoom(roomId);
    const oldTopic = room.topic;
    room.topic = newTopic;
    this.emit('room-topic', { roomId, newTopic, oldTopic, changerId, timestamp: Date.now() });
  }

  private mustRoom(roomId: string): SimRoom {
    const room = this.rooms.get(roomId);
    if (!room) throw new Error(`no room ${roomId}`);
    return room;
  }
}
