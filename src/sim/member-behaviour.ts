import { seededRandom, type Random } from './random.js';
import type { MemberBehaviour, SimWorld } from './world.js';
import type { SimMessage } from './world-model.js';
import { LINK_CODE_LENGTH } from '../shared/link-code.js';

/** A tracked link in a post, its whole code (a residents' click opens it). */
const TRACKED_LINK = new RegExp(`https?://\\S+?/r/[A-Za-z0-9_-]{${LINK_CODE_LENGTH}}(?![A-Za-z0-9_-])`, 'u');

/** Per member and post, the chance of each reaction (they add up to at most 1), and of opening the post's link. */
export interface ReactionShares {
  reply: number;
  mention: number;
  question: number;
  keyword: number;
  /** Drawn separately: a member who reacts may also open the link. @defaultValue 0 */
  click?: number;
}

/** What the simulated members really did: the figures reports must match. */
export interface BehaviourTruth {
  postsReceived: number;
  /** People in the groups when the posts arrived (residents and officers; fleet bots not): the true reach. */
  membersPresent: number;
  /** Distinct people who received at least one post. */
  uniquePeople: number;
  reply: number;
  mention: number;
  question: number;
  keyword: number;
  /** Tracked links opened (HTTP answered with a redirect). */
  click: number;
}

/** WeChat shows a quoted reply as 「name：quoted text」, a dashed line, then the reply. */
export function quoteText(name: string, quoted: string, reply: string): string {
  return `「${name}：${quoted.slice(0, 30)}」\n- - - - - - - - - - - - - - -\n${reply}`;
}

/**
 * Simulated residents reacting to campaign posts: a share of the members of
 * the group reply to the post (quote), @-mention the bot, ask it a question or
 * answer with an acknowledgement, a little after the post. Seeded, and it
 * counts what it did, so tests compare reports with the truth.
 */
export class ScriptedMembers implements MemberBehaviour {
  readonly truth: BehaviourTruth = { postsReceived: 0, membersPresent: 0, uniquePeople: 0, reply: 0, mention: 0, question: 0, keyword: 0, click: 0 };
  private readonly reached = new Set<string>();
  private readonly clicks = new Set<Promise<void>>();
  private readonly rng: Random;

  constructor(
    private readonly shares: ReactionShares,
    private readonly o: { seed?: number; delayMs?: number; isCampaignPost?: (m: SimMessage) => boolean } = {},
  ) {
    this.rng = seededRandom(o.seed ?? 1);
  }

  onBotPost(world: SimWorld, post: SimMessage): void {
    const isCampaign = this.o.isCampaignPost ?? ((m: SimMessage) => m.mentionIds.length === 0 && m.text.startsWith('【'));
    if (!post.roomId || !isCampaign(post)) return;
    const room = world.rooms.get(post.roomId);
    const bot = world.bots.find((b) => b.contactId === post.talkerId);
    if (!room || !bot) return;
    const humans = room.memberIds.filter((id) => world.contacts.get(id)?.kind === 'member');
    const people = room.memberIds.filter((id) => world.contacts.get(id)?.kind !== 'bot');
    this.truth.postsReceived++;
    this.truth.membersPresent += people.length;
    for (const p of people) this.reached.add(p);
    this.truth.uniquePeople = this.reached.size;
    const { reply, mention, question, keyword } = this.shares;
    const actions: (() => void)[] = [];
    for (const m of humans) {
      const r = this.rng();
      if (r < reply) {
        this.truth.reply++;
        actions.push(() => world.post({ roomId: room.id, talkerId: m, text: quoteText(bot.name, post.text, '收到'), mentionIds: [] }));
      } else if (r < reply + mention) {
        this.truth.mention++;
        actions.push(() => world.mention(room.id, m, bot.botId, '辛苦了'));
      } else if (r < reply + mention + question) {
        this.truth.question++;
        actions.push(() => world.mention(room.id, m, bot.botId, '刚才有人打电话说我快递丢了要赔我钱，让我下个会议软件，是真的吗？'));
      } else if (r < reply + mention + question + keyword) {
        this.truth.keyword++;
        actions.push(() => world.post({ roomId: room.id, talkerId: m, text: '收到，谢谢提醒', mentionIds: [] }));
      }
    }
    const link = TRACKED_LINK.exec(post.text)?.[0];
    if (link) for (const _ of humans) if (this.rng() < (this.shares.click ?? 0)) actions.push(() => this.open(link));
    // after the post has reached every bot
    setTimeout(() => actions.forEach((a) => a()), this.o.delayMs ?? 20);
  }

  /** Resolves when every link opened so far has been answered. */
  async settled(): Promise<void> {
    while (this.clicks.size) await Promise.all([...this.clicks]);
  }

  private open(link: string): void {
    const p = fetch(link, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) Mobile MicroMessenger/8.0.50' } })
      .then((res) => {
        if (res.status === 302) this.truth.click++;
      })
      .catch(() => undefined)
      .finally(() => this.clicks.delete(p));
    this.clicks.add(p);
  }
}
