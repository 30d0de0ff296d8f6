/** Kinds of engagement with a post (tips come from the scam check). */
export type EngagementKind = 'reply' | 'mention' | 'keyword' | 'question';

/** The reviewed word lists of content/engagement/keywords.yaml. */
export interface EngagementWords {
  acknowledgement: readonly string[];
  concern: readonly string[];
  questionSigns: readonly string[];
}

/** What the bot saw of a member's group message (no member identity needed here). */
export interface InboundGroupMessage {
  groupId: string;
  at: Date;
  text: string;
  /** The member @-mentioned the bot. */
  mentionsBot: boolean;
  /** The member quoted/replied to a message of the bot. */
  quotesBot: boolean;
}

/** A post that went to a group. */
export interface SentPost {
  deliveryId: string;
  groupId: string;
  sentAt: Date;
}

/**
 * What kind of engagement a message is, or undefined for ordinary chatter.
 * A quote of the bot's post is a reply; an @-mention with a question sign is
 * a question (the scam check answers those), otherwise a mention; a reviewed
 * acknowledgement or concern phrase is a keyword. Pure.
 */
export function classifyEngagement(m: Pick<InboundGroupMessage, 'text' | 'mentionsBot' | 'quotesBot'>, words: EngagementWords): EngagementKind | undefined {
  if (m.quotesBot) return 'reply';
  if (m.mentionsBot) return words.questionSigns.some((s) => m.text.includes(s)) ? 'question' : 'mention';
  if ([...words.acknowledgement, ...words.concern].some((w) => m.text.includes(w))) return 'keyword';
  return undefined;
}

/**
 * The post an engagement belongs to: the most recent post to the same group
 * sent at or before the message and no more than `windowMs` earlier. Pure.
 */
export function attributeToPost<P extends SentPost>(m: Pick<InboundGroupMessage, 'groupId' | 'at'>, posts: readonly P[], windowMs: number): P | undefined {
  let best: P | undefined;
  for (const p of posts) {
    if (p.groupId !== m.groupId) continue;
    const age = m.at.getTime() - p.sentAt.getTime();
    if (age < 0 || age > windowMs) continue;
    if (!best || p.sentAt > best.sentAt) best = p;
  }
  return best;
}
