import { readFileSync, statSync } from 'node:fs';
import { parseDocument, LineCounter, isMap, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors.js';

/**
 * What one YAML (or front matter) text may cost to read. A file past either
 * limit is a problem that names it, never a crash: an alias bomb expands a
 * few lines into gigabytes, and `yaml` throws on it from `toJS()`.
 */
export const YAML_LIMITS = {
  /** Bytes of one file: the largest shipped one (content/scamcheck/rules.yaml) is about 50 kB. */
  maxBytes: 1024 * 1024,
  /** Alias references (`*name`) resolved in one document, nested ones counted as they expand. */
  maxAliasCount: 100,
} as const;

/** A parsed YAML text that can say on which line a field path sits. */
export interface LocatedYaml {
  data: unknown;
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** The outcome of reading something a user wrote: its value, or every problem with file and line. */
export type Read<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

/**
 * Read a text file a user wrote: UTF-8 (bytes that are not are a problem
 * naming the file, not replacement characters), a byte-order mark dropped,
 * Windows line ends (CRLF) read as LF, at most {@link YAML_LIMITS}.maxBytes.
 * Never throws.
 */
export function readTextFile(file: string, maxBytes: number = YAML_LIMITS.maxBytes): Read<string> {
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > maxBytes) return fail(file, `is ${size} bytes: at most ${maxBytes} bytes are read (is it the file you meant?)`);
    bytes = readFileSync(file);
  } catch (err) {
    return fail(file, `cannot read file: ${(err as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    return { ok: false, problems: [{ file, field: '', line, message: `is not valid UTF-8 (byte ${at}): save it as UTF-8` }] };
  }
  return { ok: true, value: normaliseText(text) };
}

/** Text as Zhimi reads it: no byte-order mark, LF line ends. */
export function normaliseText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * Parse YAML text; never throws. Syntax errors, a text over the size limit
 * and an alias bomb are problems with the file (and line), shifted by
 * `lineOffset` for a text that starts further down its file (front matter).
 * Every YAML Zhimi reads goes through here.
 */
export function readYaml(text: string, file: string, lineOffset = 0): Read<LocatedYaml> {
  if (text.length > YAML_LIMITS.maxBytes) return fail(file, `is ${text.length} characters: at most ${YAML_LIMITS.maxBytes} are read`);
  const lineCounter = new LineCounter();
  const doc = parseDocument(normaliseText(text), { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        field: '',
        line: (e.linePos?.[0]?.line ?? 1) + lineOffset,
        message: `invalid YAML: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
  } catch (err) {
    const aliases = /alias/i.test((err as Error).message);
    return fail(
      file,
      aliases
        ? `invalid YAML: its aliases (*name) expand past ${YAML_LIMITS.maxAliasCount} references: write the values out, or use fewer aliases`
        : `invalid YAML: ${(err as Error).message}`,
      1 + lineOffset,
    );
  }
  return {
    ok: true,
    value: {
      data,
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
    },
  };
}

/** Parse YAML text; any problem (see {@link readYaml}) is thrown as a {@link ConfigError} naming file and line. */
export function parseYaml(text: string, file: string, lineOffset = 0): LocatedYaml {
  const r = readYaml(text, file, lineOffset);
  if (!r.ok) throw new ConfigError(r.problems);
  return r.value;
}

/**
 * Turn zod issues into problems that name file, line and field. With the
 * schema, an unknown key says which keys belong there, or where it belongs
 * when it is a key of another part (`until` at the top of a campaign:
 * "it belongs under window").
 */
export function zodProblems(file: string, issues: readonly z.core.$ZodIssue[], located?: LocatedYaml, schema?: z.ZodType): ConfigProblem[] {
  return flatten(issues, []).flatMap((issue) => {
    const path = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const line = located?.lineOf([...path, key]);
        return { file, field: [...path, key].map(String).join('.'), message: unknownKeyMessage(schema, path, key), ...(line !== undefined ? { line } : {}) };
      });
    }
    const line = located?.lineOf(path);
    return [{ file, field: path.map(String).join('.'), message: withInput(issue), ...(line !== undefined ? { line } : {}) }];
  });
}

/**
 * Read a YAML file and validate it; never throws. An empty file says which
 * keys it needs (`what`: "a campaign", "a bot").
 */
export function readYamlFile<S extends z.ZodType>(file: string, schema: S, what?: string): Read<z.output<S>> & { text?: string; located?: LocatedYaml } {
  const text = readTextFile(file);
  if (!text.ok) return text;
  const located = readYaml(text.value, file);
  if (!located.ok) return located;
  const data = located.value.data;
  if (data === null || data === undefined) {
    const needs = requiredKeys(schema);
    if (needs.length) return fail(file, `is empty: ${what ?? 'it'} needs ${needs.join(', ')}`);
  }
  const result = schema.safeParse(data, { reportInput: true });
  if (!result.success) return { ok: false, problems: zodProblems(file, result.error.issues, located.value, schema) };
  return { ok: true, value: result.data, text: text.value, located: located.value };
}

/** Read a YAML file and validate it; throws {@link ConfigError} on any problem. */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S, what?: string): z.output<S> {
  const r = readYamlFile(file, schema, what);
  if (!r.ok) throw new ConfigError(r.problems);
  return r.value;
}

/** The keys an object schema cannot do without, in the order it lists them. */
export function requiredKeys(schema: z.ZodType): string[] {
  const shapes = objectShapes(schema);
  if (shapes.length !== 1) return [];
  return Object.entries(shapes[0]!)
    .filter(([, s]) => !isOptional(s))
    .map(([k]) => k);
}

function fail(file: string, message: string, line?: number): { ok: false; problems: ConfigProblem[] } {
  return { ok: false, problems: [{ file, field: '', message, ...(line !== undefined ? { line } : {}) }] };
}

/** Where the first byte that is not UTF-8 sits (close enough for a message: overlong forms are not told apart). */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return i;
}

/**
 * Issues as a user should read them: a union none of whose shapes fits says
 * what is wrong inside the shape the value was meant to have (the one whose
 * problems are all inside it, fewest first): `schedule.timezone: must be
 * Asia/Shanghai (got "Europe/Paris")`, not "must be { cron } or { at }".
 */
function flatten(issues: readonly z.core.$ZodIssue[], base: PropertyKey[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...(issue.path as PropertyKey[])];
    if (issue.code === 'invalid_union' && issue.errors.length) {
      const inside = issue.errors.filter((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0 && i.code !== 'unrecognized_keys'));
      const best = inside.sort((a, b) => a.length - b.length)[0];
      if (best) return flatten(best, path);
    }
    return [{ ...issue, path } as z.core.$ZodIssue];
  });
}

type AnySchema = { _zod: { def: Record<string, unknown> & { type: string } } };

/** The schemas a value is checked against under optional, default, pipe and union wrappers. */
function unwrap(schema: unknown, depth = 0): AnySchema[] {
  const s = schema as AnySchema | undefined;
  const def = s?._zod?.def;
  if (!def || depth > 8) return [];
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return unwrap(def['innerType'], depth + 1);
    case 'pipe':
      return unwrap(def['in'], depth + 1);
    case 'union':
      return (def['options'] as unknown[]).flatMap((o) => unwrap(o, depth + 1));
    default:
      return [s];
  }
}

function objectShapes(schema: unknown): Record<string, unknown>[] {
  return unwrap(schema).flatMap((s) => (s._zod.def.type === 'object' ? [s._zod.def['shape'] as Record<string, unknown>] : []));
}

function arrayElements(schema: unknown): unknown[] {
  return unwrap(schema).flatMap((s) => (s._zod.def.type === 'array' ? [s._zod.def['element']] : []));
}

function isOptional(schema: unknown): boolean {
  const t = (schema as AnySchema | undefined)?._zod?.def.type;
  return t === 'optional' || t === 'default' || t === 'prefault';
}

/** The schemas a value at `path` is checked against (several below a union). */
function schemasAt(schema: unknown, path: readonly PropertyKey[]): unknown[] {
  let at: unknown[] = [schema];
  for (const key of path) {
    at = at.flatMap((s) =>
      typeof key === 'number' ? arrayElements(s) : objectShapes(s).flatMap((shape) => (Object.hasOwn(shape, String(key)) ? [shape[String(key)]] : [])),
    );
  }
  return at;
}

/** Dotted paths of every object in the schema that has `key` (where a misplaced key belongs). */
function placesOf(schema: unknown, key: string, prefix: string[] = [], out: string[] = []): string[] {
  if (prefix.length > 6) return out;
  for (const element of arrayElements(schema)) placesOf(element, key, prefix, out);
  for (const shape of objectShapes(schema)) {
    if (Object.hasOwn(shape, key) && prefix.length && !out.includes(prefix.join('.'))) out.push(prefix.join('.'));
    for (const [k, s] of Object.entries(shape)) placesOf(s, key, [...prefix, k], out);
  }
  return out;
}

function unknownKeyMessage(schema: z.ZodType | undefined, path: readonly PropertyKey[], key: string): string {
  if (!schema) return `unknown key "${key}"`;
  const here = [...new Set(schemasAt(schema, path).flatMap((s) => objectShapes(s).flatMap((shape) => Object.keys(shape))))];
  const elsewhere = placesOf(schema, key).filter((p) => p !== path.map(String).join('.'));
  if (elsewhere.length) return `unknown key "${key}" here: it belongs under ${elsewhere.join(' or ')}`;
  return here.length ? `unknown key "${key}": the keys here are ${here.join(', ')}` : `unknown key "${key}"`;
}

function withInput(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  // zod says "Invalid input: expected object, received undefined" for a field left out
  if (input === undefined && issue.code === 'invalid_type') return `is required (${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}) and missing`;
  if (input === undefined && issue.code === 'invalid_union') return 'is required and missing';
  const scalar = typeof input === 'number' || typeof input === 'string' || typeof input === 'boolean';
  return scalar && issue.code !== 'invalid_type' ? `${issue.message} (got ${JSON.stringify(input)})` : issue.message;
}
