import { readFileSync } from 'node:fs';
import { parseDocument, LineCounter, isMap, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors.js';

/** A parsed YAML text that can say on which line a field path sits. */
export interface LocatedYaml {
  data: unknown;
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** Parse YAML text; syntax errors become {@link ConfigError} with file and line. */
export function parseYaml(text: string, file: string, lineOffset = 0): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file,
        field: '',
        line: (e.linePos?.[0]?.line ?? 1) + lineOffset,
        message: `invalid YAML: ${(e.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}`,
      })),
    );
  }
  return {
    data: doc.toJS(),
    lineOf(path) {
      let node: unknown = doc.contents;
      let last: Node | undefined = doc.contents ?? undefined;
      for (const key of path) {
        if (isMap(node)) {
          const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === key);
          if (!pair) break;
          last = (pair.key as Node) ?? last;
          node = pair.value;
        } else if (isSeq(node) && typeof key === 'number') {
          node = node.items[key];
          last = (node as Node) ?? last;
        } else break;
      }
      const offset = last?.range?.[0];
      return offset === undefined ? undefined : lineCounter.linePos(offset).line + lineOffset;
    },
  };
}

/** Turn zod issues into problems that name file, line and field. */
export function zodProblems(file: string, issues: readonly z.core.$ZodIssue[], located?: LocatedYaml): ConfigProblem[] {
  return issues.map((issue) => {
    const path = issue.path as PropertyKey[];
    const line = located?.lineOf(path);
    return {
      file,
      field: path.map(String).join('.'),
      message: withInput(issue),
      ...(line !== undefined ? { line } : {}),
    };
  });
}

/** Read a YAML file and validate it; throws {@link ConfigError} on any problem. */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, field: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  const located = parseYaml(text, file);
  const result = schema.safeParse(located.data, { reportInput: true });
  if (!result.success) throw new ConfigError(zodProblems(file, result.error.issues, located));
  return result.data;
}

function withInput(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  // zod says "Invalid input: expected object, received undefined" for a field left out
  if (input === undefined && issue.code === 'invalid_type') return `is required (${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}) and missing`;
  if (input === undefined && issue.code === 'invalid_union') return 'is required and missing';
  const scalar = typeof input === 'number' || typeof input === 'string' || typeof input === 'boolean';
  return scalar && issue.code !== 'invalid_type' ? `${issue.message} (got ${JSON.stringify(input)})` : issue.message;
}
