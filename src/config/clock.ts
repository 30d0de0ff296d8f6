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
