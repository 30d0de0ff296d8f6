import cron from 'node-cron';

/** Asia/Shanghai is UTC+8 all year (no daylight saving since 1991). */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

export interface CronFields {
  second: Set<number>;
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** true when the day-of-month field was `*` (cron's day-of-month/day-of-week rule). */
  anyDayOfMonth: boolean;
  anyDayOfWeek: boolean;
}

/**
 * Parse a 6-field cron expression (second minute hour day month weekday) with
 * node-cron's parser; the result or a message saying what is wrong.
 */
export function parseCron(expr: string): { ok: true; fields: CronFields } | { ok: false; message: string } {
  if (expr.trim().split(/\s+/).length !== 6) {
    return { ok: false, message: `must have 6 fields: second minute hour day-of-month month day-of-week, e.g. "0 30 19 * * *" (got "${expr}")` };
  }
  const v = cron.validateDetailed(expr);
  if (!v.valid || !v.fields) {
    return { ok: false, message: `invalid cron "${expr}": ${v.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'not understood'}` };
  }
  const f = v.fields;
  const nums = (xs: (number | string)[]): Set<number> => new Set(xs.map(Number).filter((n) => Number.isFinite(n)).map((n) => n % 7 === 0 && xs === f.dayOfWeek ? 0 : n));
  const parts = expr.trim().split(/\s+/);
  return {
    ok: true,
    fields: {
      second: new Set(f.second),
      minute: new Set(f.minute),
      hour: new Set(f.hour),
      dayOfMonth: nums(f.dayOfMonth),
      month: new Set(f.month),
      dayOfWeek: nums(f.dayOfWeek),
      anyDayOfMonth: parts[3] === '*' || parts[3] === '?',
      anyDayOfWeek: parts[5] === '*' || parts[5] === '?',
    },
  };
}

/**
 * The next `count` times (strictly after `after`) an expression fires in
 * Asia/Shanghai, no later than `until`. Pure: the clock is the caller's.
 */
export function nextCronTimes(fields: CronFields, after: Date, count: number, until?: Date): Date[] {
  const out: Date[] = [];
  // work in "Shanghai wall time" expressed as a UTC date
  let t = new Date(Math.floor((after.getTime() + SHANGHAI_OFFSET_MS) / 1000) * 1000 + 1000);
  const limit = until ? until.getTime() + SHANGHAI_OFFSET_MS : t.getTime() + 366 * 86_400_000 * 2;
  while (out.length < count && t.getTime() <= limit) {
    if (!fields.month.has(t.getUTCMonth() + 1) || !dayMatches(fields, t)) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1));
      continue;
    }
    if (!fields.hour.has(t.getUTCHours())) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours() + 1));
      continue;
    }
    if (!fields.minute.has(t.getUTCMinutes())) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes() + 1));
      continue;
    }
    if (!fields.second.has(t.getUTCSeconds())) {
      t = new Date(t.getTime() + 1000);
      continue;
    }
    if (t.getTime() <= limit) out.push(new Date(t.getTime() - SHANGHAI_OFFSET_MS));
    t = new Date(t.getTime() + 1000);
  }
  return out;
}

function dayMatches(f: CronFields, t: Date): boolean {
  const dom = f.dayOfMonth.has(t.getUTCDate());
  const dow = f.dayOfWeek.has(t.getUTCDay());
  if (f.anyDayOfMonth && f.anyDayOfWeek) return true;
  if (f.anyDayOfMonth) return dow;
  if (f.anyDayOfWeek) return dom;
  return dom || dow;
}
