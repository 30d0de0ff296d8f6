import type { Message, Room, RoomInvitation, Contact } from 'wechaty';
import type { Clock } from '../config/clock.js';
import { fillTemplate } from '../config/content-texts.js';
import type { GroupContentBundle } from '../config/content-bundle.js';
import type { Logger } from '../log/logger.js';
import type { MemberKeyer } from '../audience/member-key.js';
import { toSeenGroup } from '../audience/group-sync.js';
import { GROUP_PAUSED, parseOfficerCommand, type OfficerCommand } from '../audience/officer-command.js';
import { suggestTags } from '../audience/tag-suggestion.js';
import { SEGMENT_LABEL } from '../audience/segments.js';
import type { Store } from '../store/connection.js';
import { findGroupByRoomId, registerJoinedGroup, removeBotFromGroup, setGroupPaused, tagGroup, upsertSeenGroup } from '../store/groups-repo.js';
import { type GroupRecord } from '../shared/groups.js';
import { firstTime, messageOnceKey } from '../store/once.js';
import type { DeliveryState } from '../outbox/delivery-state.js';
import { skipPlannedForGroup } from '../store/deliveries-repo.js';
import type { BotRunner } from '../channels/wechaty/bot-runner.js';
import { scrubSecrets } from '../log/secrets.js';
import { InboundFilter } from './inbound-filter.js';

/** The reviewed content the bot needs in groups. */
export type GroupContent = GroupContentBundle;

/** What other modules do with inbound messages (scam check, engagement). */
export interface InboundHandlers {
  /** @-mentions in a group that are not officer commands. */
  onMention?(message: Message, room: Room, runner: BotRunner): Promise<void>;
  /** Every other text message in a group. */
  onGroupMessage?(message: Message, room: Room, runner: BotRunner): Promise<void>;
  /** Text messages people send the bot privately. */
  onPrivateMessage?(message: Message, runner: BotRunner): Promise<void>;
}

export interface GroupMembershipOptions {
  runner: BotRunner;
  store: Store;
  keyer: MemberKeyer;
  /** WeChat ids of officers this bot obeys (fleet list + its own). */
  officers: ReadonlySet<string>;
  content: GroupContent;
  clock: Clock;
  log: Logger;
  workerId: string;
  botContactIds: () => ReadonlySet<string>;
  inbound?: InboundHandlers | undefined;
  /** An officer paused (`暂停`) or resumed (`恢复`) posts to a group. */
  onGroupPaused?: (groupId: string, paused: boolean) => void;
}

/** After this long a non-officer trying a command in the same group gets the short note again. */
const OFFICERS_ONLY_NOTE_EVERY_MS = 10 * 60_000;

/**
 * A bot's manners in groups: it joins only when an authorised officer brings
 * it in, registers the group as pending, introduces itself once, obeys
 * officer commands (登记, 确认, 暂停, 恢复, 退出) and nobody else's, and keeps
 * the registry right when it is removed or members come and go.
 */
export class GroupMembership {
  private readonly log: Logger;
  private readonly noteSentAt = new Map<string, number>();
  /** Messages delivered twice or replayed from history are not acted on again. */
  private readonly inboundFilter = new InboundFilter();
  private ignored = { duplicate: 0, stale: 0, since: 0 };

  constructor(private readonly o: GroupMembershipOptions) {
    this.log = o.log.child({ botId: o.runner.bot.id, module: 'membership' });
    const w = o.runner.wechaty;
    w.on('room-invite', (inv) => this.guard('room-invite', () => this.onInvite(inv)));
    w.on('room-join', (room, invitees, inviter) => this.guard('room-join', () => this.onJoin(room, invitees, inviter)));
    w.on('room-leave', (room, leavers, remover) => this.guard('room-leave', () => this.onLeave(room, leavers, remover)));
    w.on('room-topic', (room) => this.guard('room-topic', () => this.refresh(room.id)));
    w.on('message', (msg) => this.guard('message', () => this.onMessage(msg)));
  }

  private async onInvite(inv: RoomInvitation): Promise<void> {
    const inviter = await inv.inviter();
    const inviterKey = this.o.keyer(inviter.id);
    if (!this.o.officers.has(inviter.id)) {
      // Declining = not accepting: WeChat has no explicit decline.
      this.log.warn({ inviterKey }, 'declined a group invitation from someone who is not an authorised officer');
      return;
    }
    this.log.info({ inviterKey, topic: await inv.topic() }, 'accepting an officer\'s group invitation');
    await inv.accept();
  }

  private async onJoin(room: Room, invitees: Contact[], inviter: Contact): Promise<void> {
    const self = this.o.runner.contactId;
    if (!invitees.some((c) => c.id === self)) {
      await this.refresh(room.id);
      return;
    }
    const inviterKey = this.o.keyer(inviter.id);
    if (!this.o.officers.has(inviter.id)) {
      this.log.warn({ inviterKey, roomId: room.id }, 'added to a group by someone who is not an authorised officer; leaving politely');
      await this.say(room, this.fill(this.o.content.messages.strangerInvite));
      await room.quit();
      return;
    }
    const view = await this.o.runner.room(room.id);
    if (!view) return;
    const { group } = await registerJoinedGroup(this.o.store, this.seen(view), inviterKey, this.o.clock.now());
    this.log.info({ roomId: room.id, status: group.status, inviterKey }, 'joined a group');
    if (await firstTime(this.o.store, `intro:${room.id}`, this.o.workerId, this.o.clock.now())) {
      const m = this.o.content.messages;
      await this.say(room, this.fill(group.status === 'pending' ? m.introductionPending : m.introduction, group));
    }
    if (group.status === 'pending') {
      const s = suggestTags(group.topic, this.o.content.rules, this.o.content.ref);
      if (s.district && s.segments.length) {
        await this.say(room, this.fill(this.o.content.messages.suggestion, { ...group, district: s.district, segments: s.segments }));
      }
    }
  }

  private async onLeave(room: Room, leavers: Contact[], remover?: Contact): Promise<void> {
    const self = this.o.runner.contactId;
    if (!leavers.some((c) => c.id === self)) {
      await this.refresh(room.id);
      return;
    }
    await this.botLeft(room.id, remover ? this.o.keyer(remover.id) : undefined);
  }

  private async botLeft(roomId: string, removerKey?: string): Promise<void> {
    await forgetBotInGroup(this.o.store, { roomId }, this.o.runner.bot.id, this.o.clock.now(), this.log, { removerKey });
  }

  private async onMessage(msg: Message): Promise<void> {
    if (msg.self() || msg.type() !== this.o.runner.wechaty.Message.Type.Text) return;
    // never answer other bots of the fleet (or loop with them)
    if (this.o.botContactIds().has(msg.talker().id)) return;
    // WeChat stamps messages in real time: their age is measured against the real clock, not the scheduling clock
    if (!this.firstDelivery(msg, Date.now())) return;
    const room = msg.room();
    const inbound = this.o.inbound;
    if (!room) {
      if (await this.actOnce(msg)) await inbound?.onPrivateMessage?.(msg, this.o.runner);
      return;
    }
    if (!(await msg.mentionSelf())) {
      await inbound?.onGroupMessage?.(msg, room, this.o.runner);
      return;
    }
    // what the bot answers or obeys, once across workers and restarts
    if (!(await this.actOnce(msg))) return;
    const parsed = parseOfficerCommand(msg.text(), this.o.content.ref);
    if ('none' in parsed) {
      await inbound?.onMention?.(msg, room, this.o.runner);
      return;
    }
    const talker = msg.talker();
    const talkerKey = this.o.keyer(talker.id);
    if (!this.o.officers.has(talker.id)) {
      this.log.warn({ roomId: room.id, talkerKey }, 'ignored a command from someone who is not an officer');
      const last = this.noteSentAt.get(room.id) ?? 0;
      const now = this.o.clock.now().getTime();
      if (now - last >= OFFICERS_ONLY_NOTE_EVERY_MS) {
        this.noteSentAt.set(room.id, now);
        await this.say(room, this.o.content.messages.officersOnly, talker);
      }
      return;
    }
    if (!parsed.ok) {
      await this.say(room, parsed.reply, talker);
      return;
    }
    await this.execute(parsed.command, room, talker, talkerKey);
  }

  private async execute(cmd: OfficerCommand, room: Room, officer: Contact, officerKey: string): Promise<void> {
    const m = this.o.content.messages;
    const log = this.log.child({ roomId: room.id, officerKey, command: cmd.kind });
    switch (cmd.kind) {
      case 'register':
      case 'confirm': {
        let tags: { district: string; station?: string | undefined; segments: GroupRecord['segments'] };
        if (cmd.kind === 'register') tags = cmd;
        else {
          const s = suggestTags(await room.topic(), this.o.content.rules, this.o.content.ref);
          if (!s.district || s.segments.length === 0) {
            await this.say(room, '无法根据群名判断，请发送“登记 区县 派出所 对象”。', officer);
            return;
          }
          tags = { district: s.district, segments: s.segments };
        }
        if (!(await findGroupByRoomId(this.o.store, room.id))) {
          const view = await this.o.runner.room(room.id);
          if (view) await upsertSeenGroup(this.o.store, this.seen(view), this.o.clock.now());
        }
        const g = await tagGroup(this.o.store, room.id, { ...tags, taggedBy: officerKey });
        log.info({ district: tags.district, station: tags.station, segments: tags.segments }, 'group tagged by an officer');
        if (g) await this.say(room, this.fill(m.registered, g), officer);
        return;
      }
      case 'pause':
      case 'resume': {
        const g = await setGroupPaused(this.o.store, room.id, cmd.kind === 'pause', this.o.clock.now());
        // the bot says the reminders are paused: posts already planned for the group do not go out either (the
        // ones a lane holds claimed are skipped there: at once in this worker, within a second in the others;
        // the rest in the outbox)
        if (g) this.o.onGroupPaused?.(g.id, cmd.kind === 'pause');
        const skipped = g && cmd.kind === 'pause' ? (await skipPlannedForGroup(this.o.store, g.id, GROUP_PAUSED, this.o.clock.now())).length : 0;
        log.info({ status: g?.status, ...(skipped ? { skipped } : {}) }, 'group posts ' + (cmd.kind === 'pause' ? 'paused' : 'resumed'));
        await this.say(room, cmd.kind === 'pause' ? m.paused : g?.status === 'pending' ? m.resumedPending : m.resumed, officer);
        return;
      }
      case 'leave':
        log.info('leaving the group on an officer\'s command');
        await this.say(room, this.fill(m.leaving));
        await this.botLeft(room.id, officerKey);
        await room.quit();
        return;
      case 'help':
        await this.say(room, m.help, officer);
        return;
    }
  }

  /**
   * False for a message this bot saw already (puppets deliver some twice) or
   * one sent over ten minutes before it arrived (history a puppet replays
   * after a restart); ignored messages are logged as counts, at most once a minute.
   */
  private firstDelivery(msg: Message, now: number): boolean {
    const verdict = this.inboundFilter.judge(msg.id, msg.date().getTime(), now);
    if (verdict === 'new') return true;
    this.ignored[verdict]++;
    if (now - this.ignored.since >= 60_000) {
      this.log.info({ duplicate: this.ignored.duplicate, stale: this.ignored.stale }, 'ignored messages delivered twice or replayed from before the bot came online');
      this.ignored = { duplicate: 0, stale: 0, since: now };
    }
    return false;
  }

  /** True the first time any worker sees this message of this bot: a question is answered once, a command run once, even after a restart. */
  private actOnce(msg: Message): Promise<boolean> {
    return firstTime(this.o.store, messageOnceKey(this.o.runner.bot.id, msg.id), this.o.workerId, this.o.clock.now());
  }

  /** Say something in a room in the bot's turn (spaced from its posts and other replies), mentioning whom it answers. */
  private say(room: Room, text: string, mention?: Contact): Promise<unknown> {
    return this.o.runner.speak(() => (mention ? room.say(text, mention) : room.say(text)));
  }

  /** Re-read a room and update topic and member count in the registry. */
  private async refresh(roomId: string): Promise<void> {
    const view = await this.o.runner.room(roomId);
    if (view && (await findGroupByRoomId(this.o.store, roomId))) await upsertSeenGroup(this.o.store, this.seen(view), this.o.clock.now());
  }

  private seen(view: { roomId: string; topic: string; memberIds: string[] }) {
    return toSeenGroup(view, this.o.runner.bot.id, this.o.botContactIds(), this.o.keyer);
  }

  private fill(template: string, g?: Partial<Pick<GroupRecord, 'district' | 'station' | 'segments'>>): string {
    return fillTemplate(template, {
      name: this.o.runner.bot.name,
      hotline: this.o.content.ref.hotline,
      district: g?.district ?? '',
      station: g?.station ?? '',
      segments: g?.segments?.map((s) => SEGMENT_LABEL[s]).join('、'),
    });
  }

  private guard(event: string, fn: () => Promise<void>): void {
    fn().catch((err: unknown) => {
      const fields = { event, err: scrubSecrets((err as Error)?.message ?? String(err)) };
      // a message still being handled when its worker stops the bot (its puppet gone): expected, not a failure
      if (this.o.runner.isStopping) this.log.debug(fields, 'handler ended by the bot stopping');
      else this.log.error(fields, 'handler failed');
    });
  }
}

/** Several handlers for inbound messages, each called in turn (one failing does not stop the others). */
export function composeInbound(...handlers: InboundHandlers[]): InboundHandlers {
  const all = async (calls: (Promise<void> | undefined)[]): Promise<void> => {
    const errors = (await Promise.allSettled(calls)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (errors.length) throw errors[0]!.reason;
  };
  return {
    onMention: (m, r, b) => all(handlers.map((h) => h.onMention?.(m, r, b))),
    onGroupMessage: (m, r, b) => all(handlers.map((h) => h.onGroupMessage?.(m, r, b))),
    onPrivateMessage: (m, b) => all(handlers.map((h) => h.onPrivateMessage?.(m, b))),
  };
}

/**
 * A bot is no longer in a group (an officer removed it, or a send found it
 * gone): the registry forgets it there; the bot's planned posts to the group
 * move to another member bot, or are skipped when none is left (the group is
 * then `left`). Logs what happened on `log` (bound to the bot); returns the
 * deliveries that changed.
 */
export async function forgetBotInGroup(
  store: Store,
  where: { roomId: string } | { groupId: string },
  botId: string,
  now: Date,
  log: Logger,
  context: Record<string, unknown> = {},
): Promise<DeliveryState[]> {
  const res = await removeBotFromGroup(store, where, botId, now);
  if (!res) return [];
  const { group, changed } = res;
  if (group.status === 'left') log.warn({ ...context, roomId: group.roomId, skipped: changed.length }, 'bot is no longer in the group; group marked left');
  else log.info({ ...context, roomId: group.roomId, moved: changed.length, to: group.botIds[0] }, 'bot is no longer in the group; another fleet bot serves it');
  return changed;
}
