/**
 * Spikes in the scam check's tips: a scam type asked about in a district
 * today far above its trailing weeks — the sign of a wave an urgent alert
 * should answer. Pure.
 */

export interface TipDayCount {
  type: string;
  /** Undefined for checks asked privately (no district). */
  district?: string | undefined;
  day: string;
  checks: number;
}

export interface TipSpike {
  type: string;
  district: string;
  /** Checks of that type in that district today. */
  today: number;
  /** Mean checks per day over the trailing days (0 when there were none). */
  baseline: number;
  /** today ÷ baseline (today ÷ 1 when the baseline is below 1). */
  ratio: number;
}

/** When a count is a spike: at least this many today, and at least `ratio` times the trailing mean (floored at one a day). */
export const SPIKE_RULE = { minToday: 5, ratio: 3, trailingDays: 28 } as const;

/** The spikes of `today` against the `trailingDays` before it, largest ratio first. */
export function tipSpikes(counts: readonly TipDayCount[], today: string, trailingDays: readonly string[], rule: { minToday: number; ratio: number } = SPIKE_RULE): TipSpike[] {
  const trailing = new Set(trailingDays);
  const cells = new Map<string, { type: string; district: string; today: number; before: number }>();
  for (const c of counts) {
    if (!c.district || (c.day !== today && !trailing.has(c.day))) continue;
    const key = `${c.type}\u0000${c.district}`;
    const cell = cells.get(key) ?? cells.set(key, { type: c.type, district: c.district, today: 0, before: 0 }).get(key)!;
    if (c.day === today) cell.today += c.checks;
    else cell.before += c.checks;
  }
  const spikes: TipSpike[] = [];
  for (const c of cells.values()) {
    const baseline = trailingDays.length ? c.before / trailingDays.length : 0;
    const ratio = c.today / Math.max(1, baseline);
    if (c.today >= rule.minToday && ratio >= rule.ratio) spikes.push({ type: c.type, district: c.district, today: c.today, baseline: Math.round(baseline * 100) / 100, ratio: Math.round(ratio * 10) / 10 });
  }
  return spikes.sort((a, b) => b.ratio - a.ratio || b.today - a.today);
}
