import type { Clock } from '../config/clock.js';
import { shanghaiDay } from '../config/clock.js';
import type { FleetConfig } from '../config/bots.js';
import type { BotMessages } from '../config/content-texts.js';
import { fillTemplate } from '../shared/fill-template.js';
import type { Logger } from '../log/logger.js';
import type { MemberKeyer } from '../audience/member-key.js';
import type { Segment } from '../audience/segments.js';
import { GroupCache } from '../audience/group-cache.js';
import type { InboundHandlers, InboundMessage } from '../channels/channel.js';
import type { Store } from '../store/connection.js';
import { insertTip } from '../store/tips-repo.js';
import { checkRequest } from './request.js';
import { CheckQuota } from './quota.js';
import { GroupCheckLimit } from './group-limit.js';
import { maskText } from './mask.js';
import { renderScamAnswer } from './answer.js';
import { compileScamJudge, type ScamJudge } from './judge.js';
import { loadEngagementWords } from '../config/engagement-words.js';
import { loadScamRules, type ScamRules } from './rules.js';

export interface ScamDeskOptions {
  store: Store;
  keyer: MemberKeyer;
  judge: ScamJudge;
  rules: ScamRules;
  settings: FleetConfig['scamCheck'];
  messages: Pick<BotMessages, 'scamCheckHint' | 'scamCheckLimited'>;
  hotline: string;
  /** Reviewed signs of a question (content/engagement/keywords.yaml). */
  questionSigns: readonly string[];
  clock: Clock;
  log: Logger;
  /** Registry lookups, shared with the engagement recorder. @defaultValue a cache of its own */
  groups?: GroupCache;
}

/** Checks answered in one group per `scamCheck.windowMinutes`, across all workers, when fleet.yaml says nothing. */
export const DEFAULT_CHECKS_PER_GROUP = 10;

/** Which audience wording an answer in this group takes (elderly first: plainest words). */
const OPENER_ORDER: readonly Segment[] = ['elderly', 'students', 'shoppers', 'general'];

/**
 * The scam-check assistant at the bot's desk: a member @-mentions the bot
 * with a text (or quotes a message and @-mentions it, or writes privately);
 * the bot judges it, answers (in the group mentioning the asker, privately in
 * private) and files a masked tip for analysts. Per-member quota, and a
 * per-group limit shared by every worker (`scamCheck.perGroup`), long texts
 * cut with a note, never a fleet bot's messages, never a quote of its own
 * post. Who sent or said something is known by the account only
 * (`fromFleetBot`, `quoted.fromBot`), never by a display name: a member whose
 * group nickname is the bot's name is answered like any other.
 */
export class ScamDesk implements InboundHandlers {
  private readonly quota: CheckQuota;
  private readonly groupLimit: GroupCheckLimit;
  private readonly log: Logger;
  private readonly groups: GroupCache;

  constructor(private readonly o: ScamDeskOptions) {
    this.groups = o.groups ?? new GroupCache(o.store, o.clock);
    this.quota = new CheckQuota(o.settings.perMember, o.settings.windowMinutes * 60_000);
    this.log = o.log.child({ module: 'scamcheck' });
    this.groupLimit = new GroupCheckLimit(o.store, o.settings.perGroup ?? DEFAULT_CHECKS_PER_GROUP, o.settings.windowMinutes * 60_000, this.log);
  }

  /** What a member asks to have judged; a bare mention is answered with how to ask (undefined: nothing to judge). */
  private async askedText(m: InboundMessage): Promise<string | undefined> {
    if (m.fromFleetBot) return undefined;
    const req = this.request(m);
    if (req.kind === 'none') return undefined;
    if (req.kind === 'hint') {
      await m.reply(this.fill(this.o.messages.scamCheckHint));
      return undefined;
    }
    return req.text;
  }

  async onMention(m: InboundMessage): Promise<void> {
    const text = await this.askedText(m);
    if (text === undefined) return;
    const group = m.roomId ? await this.groups.byRoom(m.roomId) : undefined;
    const answer = await this.answer(text, m.senderKey, m.botId, {
      channel: 'group',
      // the group's limit goes by its registry id, or its room while it is not registered
      groupKey: group?.id ?? `room:${m.roomId ?? ''}`,
      ...(group ? { segments: group.segments, ...(group.district ? { district: group.district } : {}) } : {}),
    });
    if (answer) await m.reply(answer);
  }

  async onPrivateMessage(m: InboundMessage): Promise<void> {
    const text = await this.askedText(m);
    if (text === undefined) return;
    const answer = await this.answer(text, m.senderKey, m.botId, { channel: 'private' });
    if (answer) await m.reply(answer);
  }

  private request(m: InboundMessage): ReturnType<typeof checkRequest> {
    // a quote is the bot's own post only when its account said it (quoted.fromBot), whatever name it shows
    return checkRequest(m, { questionSigns: this.o.questionSigns });
  }

  /** Judge, word the answer, file the tip; undefined when the member is over quota and already told. */
  private async answer(
    fullText: string,
    memberKey: string,
    botId: string,
    where: { channel: 'group' | 'private'; groupKey?: string; district?: string; segments?: Segment[] },
  ): Promise<string | undefined> {
    const now = this.o.clock.now();
    const q = this.quota.take(memberKey, now.getTime());
    if (q === 'silent') return undefined;
    if (q === 'limited') {
      this.log.info({ botId, channel: where.channel }, 'scam check refused: member over quota');
      return this.fill(this.o.messages.scamCheckLimited, { minutes: String(this.quota.minutesUntilFree(memberKey, now.getTime())) });
    }
    if (where.groupKey && !(await this.groupLimit.take(where.groupKey, botId, now))) return undefined;
    const chars = [...fullText];
    const cut = chars.length > this.o.settings.maxChars;
    const text = cut ? chars.slice(0, this.o.settings.maxChars).join('') : fullText;
    const a = this.o.judge.assess(text);
    const segment = OPENER_ORDER.find((s) => where.segments?.includes(s));
    const reply = renderScamAnswer(a, this.o.rules, { segment, cutAt: cut ? this.o.settings.maxChars : undefined });
    // a tip has the hour, not the group or bot: those with the exact time joined it to the asker's question engagement
    insertTip(this.o.store, {
      at: now,
      day: shanghaiDay(now),
      channel: where.channel,
      ...(where.district ? { district: where.district } : {}),
      ...(where.segments ? { segments: where.segments } : {}),
      text: maskText(text),
      chars: chars.length,
      type: a.type,
      risk: a.risk,
      score: a.score,
      signals: a.signals.map((s) => s.label),
    }).catch((err: unknown) => this.log.error({ err }, 'could not store a tip'));
    this.log.info({ botId, channel: where.channel, type: a.type, risk: a.risk, score: a.score }, 'scam check answered');
    return reply;
  }

  private fill(template: string, extra: Record<string, string> = {}): string {
    return fillTemplate(template, { hotline: this.o.hotline, ...extra });
  }
}

/** Load the rule data of content/ once and build the desk's judge. */
export function loadScamCheck(contentDir: string): { rules: ScamRules; judge: ScamJudge } {
  const rules = loadScamRules(contentDir);
  return { rules, judge: compileScamJudge(rules) };
}

/** The desk for a fleet worker or the demo, from the loaded configuration. */
export function createScamDesk(o: Omit<ScamDeskOptions, 'judge' | 'rules' | 'settings' | 'messages' | 'hotline' | 'questionSigns'> & {
  contentDir: string;
  fleet: FleetConfig;
  messages: ScamDeskOptions['messages'];
  hotline: string;
}): ScamDesk {
  const { rules, judge } = loadScamCheck(o.contentDir);
  return new ScamDesk({
    ...o,
    rules,
    judge,
    settings: o.fleet.scamCheck,
    questionSigns: loadEngagementWords(o.contentDir).questionSigns,
  });
}
