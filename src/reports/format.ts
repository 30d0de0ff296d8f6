export type OutputFormat = 'table' | 'csv' | 'json';
export type Row = Record<string, string | number | null | undefined>;

/** Render rows as an aligned terminal table (CJK counts double width), CSV or JSON. */
export function formatRows(rows: readonly Row[], format: OutputFormat, columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (format === 'table' && rows.length === 0) return '(none)';
  if (format === 'json') return JSON.stringify(rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null]))), null, 2);
  if (format === 'csv') return [cols.map(csvCell).join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n');
  const cells = rows.map((r) => cols.map((c) => show(r[c])));
  const widths = cols.map((c, i) => Math.max(displayWidth(c), ...cells.map((row) => displayWidth(row[i]!))));
  const numeric = cols.map((c) => rows.length > 0 && rows.every((r) => r[c] === undefined || r[c] === null || typeof r[c] === 'number'));
  const line = (vals: string[]): string => vals.map((v, i) => (numeric[i] ? padStart(v, widths[i]!) : padEnd(v, widths[i]!))).join('  ').trimEnd();
  return [line([...cols]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function show(v: Row[string]): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(1);
  return v;
}

function padEnd(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - displayWidth(s)));
}

function padStart(s: string, w: number): string {
  return ' '.repeat(Math.max(0, w - displayWidth(s))) + s;
}

function csvCell(v: Row[string]): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
