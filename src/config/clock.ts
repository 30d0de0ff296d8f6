/** Time as the code sees it; tests inject a fake one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const TIMEZONE = 'Asia/Shanghai';

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIMEZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The Asia/Shanghai calendar day of an instant, as YYYY-MM-DD (stored on write for reports). */
export function shanghaiDay(at: Date): string {
  return dayFormat.format(at);
}

/** The Asia/Shanghai day `n` days after (negative: before) a YYYY-MM-DD day. */
export function shiftDay(day: string, n: number): string {
  return shanghaiDay(new Date(new Date(`${day}T12:00:00+08:00`).getTime() + n * 86_400_000));
}
