import type { ConfigProblem } from './errors.js';

/**
 * The objects of a JSONL text, each with its 1-based line; blank lines are
 * skipped, a line that is not JSON becomes a problem naming file and line.
 */
export function parseJsonLines(text: string, file: string, problems: ConfigProblem[]): { line: number; value: unknown }[] {
  const out: { line: number; value: unknown }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (err) {
      problems.push({ file, line: i + 1, field: '', message: `not JSON: ${(err as Error).message}` });
    }
  });
  return out;
}
