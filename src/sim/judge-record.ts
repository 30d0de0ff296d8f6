import type { RecordedMessage } from './record.js';

/** What the receiving side saw of the fleet's posts (from `zhimi sim --record`). */
export interface RecordVerdict {
  /** Posts by fleet bots in groups. */
  posts: number;
  /** Groups that got the same text from the fleet more than once, with how many extra times. */
  duplicates: { room: string; text: string; extra: number }[];
  /** Two messages of one bot closer than its minimum gap (any message: posts, answers, replies). */
  gapViolations: { bot: string; gapMs: number; at: string }[];
  /** The smallest gap between two messages of one bot, ms (undefined: no bot sent twice). */
  smallestGapMs: number | undefined;
}

/**
 * Judge a recorded run from the WeChat side: duplicates (a group that got one
 * text twice from the fleet) and gaps (a bot's messages closer than
 * `minGapMs`, per bot when given as a function). `isPost` picks the texts
 * that count as posts for duplicates (default: every bot message in a
 * group). Pure.
 */
export function judgeRecord(lines: readonly RecordedMessage[], o: { bots: ReadonlySet<string>; minGapMs: number | ((bot: string) => number); isPost?: (text: string) => boolean }): RecordVerdict {
  const fromBots = lines.filter((l) => o.bots.has(l.from)).sort((a, b) => a.t - b.t);
  const posts = fromBots.filter((l) => l.room && (o.isPost?.(l.text) ?? true));
  const seen = new Map<string, number>();
  for (const p of posts) {
    const key = `${p.room}\u0000${p.text}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([key, n]) => ({ room: key.split('\u0000')[0]!, text: key.split('\u0000')[1]!, extra: n - 1 }));
  const last = new Map<string, number>();
  const gapViolations: RecordVerdict['gapViolations'] = [];
  let smallest: number | undefined;
  for (const l of fromBots) {
    const before = last.get(l.from);
    if (before !== undefined) {
      const gap = l.t - before;
      smallest = smallest === undefined ? gap : Math.min(smallest, gap);
      const min = typeof o.minGapMs === 'function' ? o.minGapMs(l.from) : o.minGapMs;
      if (gap < min) gapViolations.push({ bot: l.from, gapMs: gap, at: l.at });
    }
    last.set(l.from, l.t);
  }
  return { posts: posts.length, duplicates, gapViolations, smallestGapMs: smallest };
}
