import { createHash } from 'node:crypto';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../config/errors.js';
import { loadYamlFile, readTextFile, readYaml, zodProblems } from '../config/yaml-file.js';
import { MAX_BODY_CHARS, postFrontMatterSchema, type Post } from './post-schema.js';

export const VARIANT_SEPARATOR = '<!-- variant -->';

/** The placeholders a post may use, filled per group (content/render.ts); any other `{…}` is a lint error. */
export const POST_PLACEHOLDERS = ['district', 'station', 'hotline'] as const;

const scamTypesSchema = z.strictObject({
  types: z.array(z.strictObject({ id: z.string().min(1), name: z.string().min(1) })).min(1),
  allowedLinkDomains: z.array(z.string().min(1)),
});
export type ScamTypes = z.output<typeof scamTypesSchema>;

export function loadScamTypes(contentDir: string): ScamTypes {
  return loadYamlFile(join(contentDir, 'scam-types.yaml'), scamTypesSchema);
}

/** The reviewed post library, or every problem found in it. */
export interface LibraryResult {
  posts: Post[];
  problems: ConfigProblem[];
}

/**
 * Read every post under `<contentDir>/posts` and check it: front matter
 * schema, known audiences and scam types, unique ids, allow-listed links,
 * images that exist, 2–3 non-empty variants within the length limit, each
 * ending with what to do (the hotline). Problems carry file, line and field.
 */
export function readLibrary(contentDir: string, postsDir = join(contentDir, 'posts')): LibraryResult {
  const types = loadScamTypes(contentDir);
  const typeIds = new Set(types.types.map((t) => t.id));
  const problems: ConfigProblem[] = [];
  const posts: Post[] = [];
  const seen = new Map<string, string>();
  for (const file of markdownFiles(postsDir)) {
    const shown = relative(join(contentDir, '..'), file);
    const read = readTextFile(file);
    if (!read.ok) {
      problems.push(...read.problems.map((p) => ({ ...p, file: shown })));
      continue;
    }
    const text = read.value;
    const m = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
    if (!m) {
      problems.push({ file: shown, field: '', line: 1, message: 'must start with front matter between two "---" lines' });
      continue;
    }
    const [, fmText = '', body = ''] = m;
    const front = readYaml(fmText, shown, 1);
    if (!front.ok) {
      // a post whose front matter does not load is a problem, never a post that vanishes
      problems.push(...front.problems);
      continue;
    }
    const located = front.value;
    const parsed = postFrontMatterSchema.safeParse(located.data, { reportInput: true });
    if (!parsed.success) problems.push(...zodProblems(shown, parsed.error.issues, located, postFrontMatterSchema));
    // the checks below run on the raw front matter too, so one lint run shows every problem
    const raw = (located.data ?? {}) as Record<string, unknown>;
    const at = (field: string): number | undefined => located.lineOf([field]);
    const problem = (field: string, message: string, line = at(field)): void => {
      problems.push({ file: shown, field, message, ...(line !== undefined ? { line } : {}) });
    };
    const id = typeof raw['id'] === 'string' ? raw['id'] : undefined;
    if (id) {
      const other = seen.get(id);
      if (other) problem('id', `duplicate post id "${id}", also in ${other}`);
      seen.set(id, shown);
    }
    if (Array.isArray(raw['scamTypes'])) {
      raw['scamTypes'].forEach((t: unknown, i: number) => {
        if (typeof t === 'string' && !typeIds.has(t)) problem(`scamTypes.${i}`, `unknown scam type "${t}": one of ${[...typeIds].join(', ')} (content/scam-types.yaml)`, at('scamTypes'));
      });
    }
    if (typeof raw['link'] === 'string' && URL.canParse(raw['link'])) {
      const url = new URL(raw['link']);
      // a scheme other than https is the schema's problem
      if (url.protocol === 'https:' && !types.allowedLinkDomains.some((d) => url.hostname === d || url.hostname.endsWith(`.${d}`))) {
        problem('link', `domain ${url.hostname} is not allowed: links may point only to ${types.allowedLinkDomains.join(', ')} (content/scam-types.yaml)`);
      }
    }
    if (typeof raw['image'] === 'string') {
      const wrong = imageProblem(contentDir, raw['image']);
      if (wrong) problem('image', wrong);
    }
    const fm = parsed.success ? parsed.data : undefined;
    if (fm?.validFrom && fm.validUntil && fm.validFrom > fm.validUntil) problem('validUntil', 'must not be before validFrom');
    const bodyLine = text.slice(0, text.length - body.length).split('\n').length;
    const variants = splitVariants(body, bodyLine);
    if (variants.length < 2 || variants.length > 3) {
      problems.push({ file: shown, field: 'body', line: bodyLine, message: `must have 2–3 variants separated by "${VARIANT_SEPARATOR}" (got ${variants.length})` });
    }
    variants.forEach((v, i) => {
      const where = { file: shown, field: `variant ${i + 1}`, line: v.line };
      if (v.text.length === 0) problems.push({ ...where, message: 'is empty' });
      else if ([...v.text].length > MAX_BODY_CHARS) problems.push({ ...where, message: `is ${[...v.text].length} characters: at most ${MAX_BODY_CHARS}` });
      else if (!/\{hotline\}|96110/.test(v.text)) problems.push({ ...where, message: 'must end with what to do: the {hotline} (96110) and 110' });
      for (const name of unknownPlaceholders(v.text)) {
        problems.push({ ...where, message: `unknown placeholder {${name}}: only ${POST_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')} are filled in` });
      }
    });
    if (!fm) continue;
    posts.push({ ...fm, variants: variants.map((v) => v.text), contentHash: createHash('sha256').update(text).digest('hex').slice(0, 16), file: shown });
  }
  return { posts, problems };
}

/** The library, or a ConfigError listing every problem. */
export function loadLibrary(contentDir: string): Post[] {
  const { posts, problems } = readLibrary(contentDir);
  if (problems.length) throw new ConfigError(problems);
  return posts;
}

/** The `{…}` of a wording that are not documented placeholders (`{__proto__}`, `{toString}`, `{name}` …). */
export function unknownPlaceholders(text: string): string[] {
  const known = new Set<string>(POST_PLACEHOLDERS);
  return [...new Set([...text.matchAll(/\{([^{}\n]*)\}/g)].map((m) => m[1]!).filter((name) => !known.has(name)))];
}

/** Why a post's image cannot be used: it must be a file inside content/assets/ (no absolute path, no way out with ../ or a link). */
function imageProblem(contentDir: string, image: string): string | undefined {
  const assets = resolve(contentDir, 'assets');
  const path = resolve(assets, image);
  const inside = (root: string, p: string): boolean => p.startsWith(root + sep);
  if (isAbsolute(image) || !inside(assets, path)) return `must be a file inside content/assets/, without an absolute path or ../ that leaves it (got ${JSON.stringify(image)})`;
  if (!existsSync(path)) return `content/assets/${image} does not exist`;
  if (!inside(realpathSync(assets), realpathSync(path))) return `content/assets/${image} is a link that leads outside content/assets/`;
  if (!statSync(path).isFile()) return `content/assets/${image} is not a file`;
  return undefined;
}

function splitVariants(body: string, firstLine: number): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let line = firstLine;
  for (const part of body.split(VARIANT_SEPARATOR)) {
    const lead = /^\s*/.exec(part)![0];
    out.push({ text: part.trim(), line: line + (lead.match(/\n/g)?.length ?? 0) });
    line += part.split('\n').length - 1;
  }
  return out;
}

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? markdownFiles(p) : p.endsWith('.md') ? [p] : [];
    });
}
