/** A daily quiet window in Asia/Shanghai wall time, e.g. 21:30–07:30 (may cross midnight). */
export interface QuietWindow {
  from: string;
  to: string;
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * If `at` falls inside the quiet window, the end of that window (the first
 * moment posting is allowed again); otherwise `at` itself.
 */
export function outsideQuietHours(at: Date, q: QuietWindow): Date {
  const wall = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  const mins = wall.getUTCHours() * 60 + wall.getUTCMinutes() + wall.getUTCSeconds() / 60;
  const from = minutes(q.from);
  const to = minutes(q.to);
  if (from === to) return at;
  const crosses = from > to;
  const inside = crosses ? mins >= from || mins < to : mins >= from && mins < to;
  if (!inside) return at;
  const dayStart = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate()) - SHANGHAI_OFFSET_MS;
  const endToday = dayStart + to * 60_000;
  // crossing midnight and still before midnight: the window ends tomorrow
  const end = crosses && mins >= from ? endToday + 86_400_000 : endToday;
  return new Date(end);
}
