export type OutputFormat = 'table' | 'csv' | 'json';
export type Row = Record<string, string | number | null | undefined>;

/**
 * Render rows as an aligned terminal table (CJK counts double width), CSV or
 * JSON. Texts come from residents and group names, so no output can drive a
 * terminal or a spreadsheet: control characters (escape sequences, bells),
 * C1 controls and bidirectional overrides are shown as `\x1b`/`\u202e` text
 * in the table and CSV and as `\u` escapes in JSON (the same data once
 * parsed); a table or CSV cell that a spreadsheet would read as a formula
 * (it starts with =, +, -, @, a tab or a carriage return) starts with `'`.
 * Pure.
 */
export function formatRows(rows: readonly Row[], format: OutputFormat, columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (format === 'table' && rows.length === 0) return '(none)';
  if (format === 'json') return jsonSafe(JSON.stringify(rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null]))), null, 2));
  if (format === 'csv') return [cols.map(csvCell).join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n');
  const cells = rows.map((r) => cols.map((c) => show(r[c])));
  const heads = cols.map((c) => tableText(c));
  const widths = cols.map((_, i) => Math.max(displayWidth(heads[i]!), ...cells.map((row) => displayWidth(row[i]!))));
  const numeric = cols.map((c) => rows.length > 0 && rows.every((r) => r[c] === undefined || r[c] === null || typeof r[c] === 'number'));
  const line = (vals: string[]): string => vals.map((v, i) => (numeric[i] ? padStart(v, widths[i]!) : padEnd(v, widths[i]!))).join('  ').trimEnd();
  return [line(heads), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

/** Characters that act on a terminal or reorder text: C0 and C1 controls, DEL, bidirectional marks and overrides, line and paragraph separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** What a spreadsheet reads as the start of a formula (full-width forms too, which some locales take as the same). */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/** Text that shows every unsafe character as its escape (`\x1b`, `\u202e`) instead of acting on the terminal. */
export function terminalSafe(text: string, keep: RegExp = /(?!)/): string {
  return text.replace(UNSAFE, (ch) => (keep.test(ch) ? ch : escapeOf(ch)));
}

/** A cell a spreadsheet takes as data, never as a formula: `=HYPERLINK(…)` becomes `'=HYPERLINK(…)`. */
export function formulaSafe(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function show(v: Row[string]): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(1);
  return tableText(v);
}

/** One line of a table cell: line breaks and tabs as spaces, the rest escaped, formulas defused. */
function tableText(v: string): string {
  return terminalSafe(formulaSafe(v).replace(/[\r\n\t]+/g, ' '));
}

function padEnd(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - displayWidth(s)));
}

function padStart(s: string, w: number): string {
  return ' '.repeat(Math.max(0, w - displayWidth(s))) + s;
}

function csvCell(v: Row[string]): string {
  if (v === null || v === undefined) return '';
  // numbers are data; only texts can carry a formula
  const s = typeof v === 'number' ? String(v) : terminalSafe(formulaSafe(v), /[\n\t]/);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** JSON text with every unsafe character written as a `\u` escape (JSON.stringify leaves C1 controls and bidi overrides raw). */
function jsonSafe(json: string): string {
  // a raw line break is the layout's (inside strings JSON.stringify writes \n)
  return json.replace(UNSAFE, (ch) => (ch === '\n' ? ch : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function escapeOf(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
