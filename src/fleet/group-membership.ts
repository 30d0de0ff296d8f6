import type { Clock } from '../config/clock.js';
import { fillTemplate } from '../shared/fill-template.js';
import type { GroupContentBundle } from '../config/content-bundle.js';
import type { Logger } from '../log/logger.js';
import { toSeenGroup } from '../audience/group-sync.js';
import { GROUP_PAUSED, parseOfficerCommand, type OfficerCommand } from '../audience/officer-command.js';
import { suggestTags } from '../audience/tag-suggestion.js';
import { SEGMENT_LABEL } from '../audience/segments.js';
import type { Store } from '../store/connection.js';
import { findGroupByRoomId, registerJoinedGroup, removeBotFromGroup, refreshSeenGroup, setGroupPaused, tagGroup, upsertSeenGroup } from '../store/groups-repo.js';
import type { GroupRecord, SeenGroup } from '../shared/groups.js';
import { firstTime, messageOnceKey } from '../store/once.js';
import { reassignPlannedForGroup, reroutePlannedForGroup, skipPlannedForGroup, type DeliveryState } from '../outbox/outbox.js';
import type { ChannelBot, InboundHandlers, InboundMessage, RoomView } from '../channels/channel.js';
import { InboundFilter } from './inbound-filter.js';
import { can, scopeName, type Actor } from '../shared/permissions.js';

/**
 * Who an officer is on WeChat: the user their WeChat id is bound to (by its
 * keyed hash), with roles and scope. Invitations and in-group commands are
 * obeyed only from users who may command bots (`groups:command`), in their scope.
 */
export interface OfficerDirectory {
  officer(senderKey: string): Promise<Actor | undefined>;
}

/** Records what officers do in groups (the audit, signed by the worker's key). */
export type OfficerAudit = (actor: Actor, action: string, target: { kind: string; id: string }, details: Record<string, unknown>) => Promise<unknown>;

/** The polite answer to an officer commanding a bot in a group outside their scope. */
export const OUTSIDE_SCOPE = (scope: string, place: string): string => `您负责的范围是${scope}，本群属于${place}，不能在此操作。请联系${place}的民警处理。`;

/** The reviewed content the bot needs in groups. */
export type GroupContent = GroupContentBundle;

export interface GroupMembershipOptions {
  runner: ChannelBot;
  store: Store;
  /** Who the officers are (users with a bound WeChat id). */
  officers: OfficerDirectory;
  /** Where officers' commands are recorded. @defaultValue not recorded (tests) */
  audit?: OfficerAudit | undefined;
  content: GroupContent;
  clock: Clock;
  log: Logger;
  workerId: string;
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
 * the registry right when it is removed or members come and go. Listens to
 * its channel bot's events: every person in them is a keyed hash.
 */
export class GroupMembership {
  private readonly log: Logger;
  private readonly noteSentAt = new Map<string, number>();
  /** Messages delivered twice or replayed from history are not acted on again. */
  private readonly inboundFilter = new InboundFilter();
  private ignored = { duplicate: 0, stale: 0, since: 0 };

  constructor(private readonly o: GroupMembershipOptions) {
    this.log = o.log.child({ botId: o.runner.bot.id, module: 'membership' });
    const r = o.runner;
    r.on('invite', (inv) => this.guard('invite', () => this.onInvite(inv)));
    r.on('joined', (e) => this.guard('joined', () => this.onJoin(e.roomId, e.inviterKey)));
    r.on('left', (e) => this.guard('left', () => this.botLeft(e.roomId, e.removerKey)));
    r.on('room-changed', (e) => this.guard('room-changed', () => this.refresh(e.roomId)));
    r.on('message', (m) => this.guard('message', () => this.onMessage(m)));
  }

  /** The officer behind a keyed WeChat id, if they may bring bots into groups and command them. */
  private async commander(key: string | undefined): Promise<Actor | undefined> {
    const a = key ? await this.o.officers.officer(key) : undefined;
    return a && can(a, 'groups:command').ok ? a : undefined;
  }

  private async onInvite(inv: { inviterKey: string; topic: string; accept(): Promise<void> }): Promise<void> {
    const officer = await this.commander(inv.inviterKey);
    if (!officer) {
      // Declining = not accepting: WeChat has no explicit decline.
      this.log.warn({ inviterKey: inv.inviterKey }, 'declined a group invitation from someone who is not an authorised officer');
      return;
    }
    this.log.info({ inviterKey: inv.inviterKey, officer: officer.id, topic: inv.topic }, 'accepting an officer\'s group invitation');
    await inv.accept();
  }

  private async onJoin(roomId: string, inviterKey: string | undefined): Promise<void> {
    const officer = await this.commander(inviterKey);
    if (!officer) {
      this.log.warn({ inviterKey, roomId }, 'added to a group by someone who is not an authorised officer; leaving politely');
      await this.o.runner.announce(roomId, this.fill(this.o.content.messages.strangerInvite));
      await this.o.runner.leave(roomId);
      return;
    }
    const view = await this.o.runner.room(roomId);
    if (!view) return;
    const { group } = await registerJoinedGroup(this.o.store, this.seen(view), officer.id, this.o.clock.now(), followRename(this.o.store));
    this.log.info({ roomId, status: group.status, officer: officer.id }, 'joined a group');
    await this.o.audit?.(officer, 'group.join', { kind: 'group', id: group.id }, { topic: group.topic, bot: this.o.runner.bot.id });
    if (await firstTime(this.o.store, `intro:${roomId}`, this.o.workerId, this.o.clock.now())) {
      const m = this.o.content.messages;
      await this.o.runner.announce(roomId, this.fill(group.status === 'pending' ? m.introductionPending : m.introduction, group));
    }
    if (group.status === 'pending') {
      const s = suggestTags(group.topic, this.o.content.rules, this.o.content.ref);
      if (s.district && s.segments.length) {
        await this.o.runner.announce(roomId, this.fill(this.o.content.messages.suggestion, { ...group, district: s.district, segments: s.segments }));
      }
    }
  }

  private async botLeft(roomId: string, removerKey?: string): Promise<void> {
    await forgetBotInGroup(this.o.store, { roomId }, this.o.runner.bot.id, this.o.clock.now(), this.log, { removerKey });
  }

  private async onMessage(m: InboundMessage): Promise<void> {
    // never answer other bots of the fleet (or loop with them): known by their account, not by a name
    if (m.fromFleetBot) return;
    // WeChat stamps messages in real time: their age is measured against the real clock, not the scheduling clock
    if (!this.firstDelivery(m, Date.now())) return;
    const inbound = this.o.inbound;
    if (!m.roomId) {
      if (await this.actOnce(m)) await inbound?.onPrivateMessage?.(m);
      return;
    }
    if (!m.mentionsBot) {
      await inbound?.onGroupMessage?.(m);
      return;
    }
    // what the bot answers or obeys, once across workers and restarts
    if (!(await this.actOnce(m))) return;
    const parsed = parseOfficerCommand(m.text, this.o.content.ref);
    if ('none' in parsed) {
      await inbound?.onMention?.(m);
      return;
    }
    const officer = await this.commander(m.senderKey);
    if (!officer) {
      this.log.warn({ roomId: m.roomId, talkerKey: m.senderKey }, 'ignored a command from someone who is not an officer');
      const last = this.noteSentAt.get(m.roomId) ?? 0;
      const now = this.o.clock.now().getTime();
      if (now - last >= OFFICERS_ONLY_NOTE_EVERY_MS) {
        this.noteSentAt.set(m.roomId, now);
        await m.reply(this.o.content.messages.officersOnly);
      }
      return;
    }
    if (!parsed.ok) {
      await m.reply(parsed.reply);
      return;
    }
    // an officer commands only the groups of their scope: the group's place, or the one a 登记 would give it
    const group = await findGroupByRoomId(this.o.store, m.roomId);
    const place = group?.district ? group : parsed.command.kind === 'register' ? parsed.command : undefined;
    if (place && !can(officer, 'groups:command', { district: place.district, station: place.station }).ok) {
      this.log.warn({ roomId: m.roomId, officer: officer.id, command: parsed.command.kind }, 'refused an officer\'s command in a group outside their scope');
      await m.reply(OUTSIDE_SCOPE(scopeName(officer.scope), `${place.district}${place.station ?? ''}`));
      return;
    }
    await this.execute(parsed.command, m, m.roomId, officer);
    if (parsed.command.kind !== 'help') {
      const g = await findGroupByRoomId(this.o.store, m.roomId);
      await this.o.audit?.(officer, `group.${parsed.command.kind === 'register' || parsed.command.kind === 'confirm' ? 'tag' : parsed.command.kind}`, { kind: 'group', id: g?.id ?? m.roomId }, {
        topic: g?.topic, in: 'group', bot: this.o.runner.bot.id, ...(g?.district ? { district: g.district, station: g.station, segments: g.segments } : {}),
      });
    }
  }

  private async execute(cmd: OfficerCommand, m: InboundMessage, roomId: string, officer: Actor): Promise<void> {
    const msgs = this.o.content.messages;
    const log = this.log.child({ roomId, officer: officer.id, command: cmd.kind });
    switch (cmd.kind) {
      case 'register':
      case 'confirm': {
        let tags: { district: string; station?: string | undefined; segments: GroupRecord['segments'] };
        const view = await this.o.runner.room(roomId);
        if (cmd.kind === 'register') tags = cmd;
        else {
          const s = suggestTags(view?.topic ?? '', this.o.content.rules, this.o.content.ref);
          if (!s.district || s.segments.length === 0) {
            await m.reply('无法根据群名判断，请发送“登记 区县 派出所 对象”。');
            return;
          }
          tags = { district: s.district, segments: s.segments };
        }
        if (view && !(await findGroupByRoomId(this.o.store, roomId))) await upsertSeenGroup(this.o.store, this.seen(view), this.o.clock.now(), followRename(this.o.store));
        const g = await tagGroup(this.o.store, roomId, { ...tags, taggedBy: officer.id });
        log.info({ district: tags.district, station: tags.station, segments: tags.segments }, 'group tagged by an officer');
        if (g) await m.reply(this.fill(msgs.registered, g));
        return;
      }
      case 'pause':
      case 'resume': {
        const g = await setGroupPaused(this.o.store, roomId, cmd.kind === 'pause', this.o.clock.now());
        // the bot says the reminders are paused: posts already planned for the group do not go out either (the
        // ones a lane holds claimed are skipped there: at once in this worker, within a second in the others;
        // the rest in the outbox)
        if (g) this.o.onGroupPaused?.(g.id, cmd.kind === 'pause');
        const skipped = g && cmd.kind === 'pause' ? (await skipPlannedForGroup(this.o.store, g.id, GROUP_PAUSED, this.o.clock.now())).length : 0;
        log.info({ status: g?.status, ...(skipped ? { skipped } : {}) }, 'group posts ' + (cmd.kind === 'pause' ? 'paused' : 'resumed'));
        await m.reply(cmd.kind === 'pause' ? msgs.paused : g?.status === 'pending' ? msgs.resumedPending : msgs.resumed);
        return;
      }
      case 'leave':
        log.info('leaving the group on an officer\'s command');
        await this.o.runner.announce(roomId, this.fill(msgs.leaving));
        await this.botLeft(roomId, officer.id);
        await this.o.runner.leave(roomId);
        return;
      case 'help':
        await m.reply(msgs.help);
        return;
    }
  }

  /**
   * False for a message this bot saw already (puppets deliver some twice) or
   * one sent over ten minutes before it arrived (history a puppet replays
   * after a restart); ignored messages are logged as counts, at most once a minute.
   */
  private firstDelivery(m: InboundMessage, now: number): boolean {
    const verdict = this.inboundFilter.judge(m.id, m.sentAt.getTime(), now);
    if (verdict === 'new') return true;
    this.ignored[verdict]++;
    if (now - this.ignored.since >= 60_000) {
      this.log.info({ duplicate: this.ignored.duplicate, stale: this.ignored.stale }, 'ignored messages delivered twice or replayed from before the bot came online');
      this.ignored = { duplicate: 0, stale: 0, since: now };
    }
    return false;
  }

  /** True the first time any worker sees this message of this bot: a question is answered once, a command run once, even after a restart. */
  private actOnce(m: InboundMessage): Promise<boolean> {
    return firstTime(this.o.store, messageOnceKey(this.o.runner.bot.id, m.id), this.o.workerId, this.o.clock.now());
  }

  /** Someone joined or left, or the group was renamed: re-read the room; a known group's entry follows (see refreshSeenGroup). */
  private async refresh(roomId: string): Promise<void> {
    const view = await this.o.runner.room(roomId);
    if (view) await refreshSeenGroup(this.o.store, this.seen(view));
  }

  private seen(view: RoomView): SeenGroup {
    return toSeenGroup(view, this.o.runner.bot.id);
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
      // a message still being handled when its worker stops the bot (its puppet gone): expected, not a failure
      if (this.o.runner.isStopping) this.log.debug({ event, err }, 'handler ended by the bot stopping');
      else this.log.error({ event, err }, 'handler failed');
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
    onMention: (m) => all(handlers.map((h) => h.onMention?.(m))),
    onGroupMessage: (m) => all(handlers.map((h) => h.onGroupMessage?.(m))),
    onPrivateMessage: (m) => all(handlers.map((h) => h.onPrivateMessage?.(m))),
  };
}

/** A group recognised under a new room id: its planned deliveries follow (the registry's hook into the outbox). */
export function followRename(store: Store): (groupId: string, roomId: string) => Promise<unknown> {
  return (groupId, roomId) => reroutePlannedForGroup(store, groupId, roomId);
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
  const group = await removeBotFromGroup(store, where, botId, now);
  if (!group) return [];
  if (group.status === 'left') {
    const skipped = await skipPlannedForGroup(store, group.id, 'bot removed from group', now);
    log.warn({ ...context, roomId: group.roomId, skipped: skipped.length }, 'bot is no longer in the group; group marked left');
    return skipped;
  }
  const moved = await reassignPlannedForGroup(store, group.id, botId, group.botIds[0]!, now);
  log.info({ ...context, roomId: group.roomId, moved: moved.length, to: group.botIds[0] }, 'bot is no longer in the group; another fleet bot serves it');
  return moved;
}
