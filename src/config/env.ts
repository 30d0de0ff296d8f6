import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from './errors.js';

/** Settings that come from the environment (secrets never come from files in the repo). */
export interface ZhimiEnv {
  /** Production database; unset → the development FerretDB is started. */
  mongoUri: string | undefined;
  /**
   * HMAC secret that turns member WeChat ids into keys. Checked when first
   * read (a command that keys no member, such as `zhimi serve`, needs none).
   */
  memberKey: string;
  /** True when ZHIMI_ENV=production: no development fall-backs. */
  production: boolean;
  /**
   * Secret of the tracked links' codes (ZHIMI_LINK_KEY), shared by the link
   * server and every worker; never the member key. Checked when first read.
   * Undefined only in an environment made by hand (tests).
   */
  linkKey?: string;
  /** Public address of the link server (ZHIMI_PUBLIC_URL), without a trailing slash; https outside development. */
  publicUrl?: string | undefined;
}

/** The secrets' minimum length, in bytes (UTF-8): 256 bits of a random hex or base64 key. */
export const MIN_KEY_BYTES = 32;

/** Levels of Wechaty's own log (WECHATY_LOG); `verbose` and `silly` print tokens and raw WeChat ids. */
export const WECHATY_LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'verbose', 'silly'] as const;
export type WechatyLogLevel = (typeof WECHATY_LOG_LEVELS)[number];
/** Wechaty log levels allowed only in development. */
export const LEAKY_WECHATY_LOG_LEVELS: readonly WechatyLogLevel[] = ['verbose', 'silly'];

/**
 * Is this process in development? ZHIMI_ENV=development says so; unset, it is
 * when MONGODB_URI is unset too (the development database). Production
 * (ZHIMI_ENV=production), or any database given in MONGODB_URI without
 * ZHIMI_ENV=development, is not: the simulator's insecure tokens, an http
 * public address and Wechaty's verbose log are refused there.
 */
export function isDevelopment(env: NodeJS.ProcessEnv = process.env): boolean {
  const name = env['ZHIMI_ENV'] || undefined;
  if (name === 'development') return true;
  return name === undefined && !env['MONGODB_URI'];
}

/**
 * Read and check the environment (README: Configuration). Refused with a
 * {@link ConfigError} naming the variable and what is allowed:
 * - ZHIMI_ENV other than `production` or `development`;
 * - ZHIMI_ENV=production without MONGODB_URI (it would fall back to the development database);
 * - ZHIMI_PUBLIC_URL that is not an address, or not https outside development;
 * - WECHATY_LOG that is not a level, or `verbose`/`silly` outside development;
 * - when first read: ZHIMI_MEMBER_KEY / ZHIMI_LINK_KEY empty or shorter than
 *   32 bytes, or unset for a database other than the development one (only for
 *   that one, with MONGODB_URI unset, is a key made and kept in `.zhimi/`).
 */
export function loadEnv(root: string, env: NodeJS.ProcessEnv = process.env): ZhimiEnv {
  const name = env['ZHIMI_ENV'] || undefined;
  if (name !== undefined && name !== 'production' && name !== 'development') {
    throw envError('ZHIMI_ENV', `must be production or development, or unset (got ${JSON.stringify(name)})`);
  }
  const production = name === 'production';
  const mongoUri = env['MONGODB_URI'] || undefined;
  if (production && !mongoUri) {
    throw envError('MONGODB_URI', 'must be set when ZHIMI_ENV=production: the production database, e.g. mongodb://zhimi:…@db:27017/zhimi (the development database is never used in production)');
  }
  const development = isDevelopment(env);
  wechatyLogLevel(env);
  const out: ZhimiEnv = { mongoUri, production, memberKey: '', publicUrl: publicUrlOf(env['ZHIMI_PUBLIC_URL'], development) };
  const devKeys = !production && !mongoUri;
  lazy(out, 'memberKey', () => secretKey(env, 'ZHIMI_MEMBER_KEY', devKeys, join(root, '.zhimi', 'member-key'), 'turns member WeChat ids into keyed hashes; the same for every worker and kept as long as the data'));
  lazy(out, 'linkKey', () => secretKey(env, 'ZHIMI_LINK_KEY', devKeys, join(root, '.zhimi', 'link-key'), 'signs the codes of tracked links; the same for the link server and every worker, never the member key'));
  return out;
}

/**
 * The level of Wechaty's own log: WECHATY_LOG, `silent` when unset. A level
 * that is not one, or `verbose`/`silly` (they print bot tokens and members'
 * raw WeChat ids) outside development, is refused.
 */
export function wechatyLogLevel(env: NodeJS.ProcessEnv = process.env): WechatyLogLevel {
  const v = env['WECHATY_LOG'] || 'silent';
  if (!(WECHATY_LOG_LEVELS as readonly string[]).includes(v)) throw envError('WECHATY_LOG', `must be one of ${WECHATY_LOG_LEVELS.join(', ')} (got ${JSON.stringify(v)})`);
  const level = v as WechatyLogLevel;
  if (LEAKY_WECHATY_LOG_LEVELS.includes(level) && !isDevelopment(env)) {
    throw envError('WECHATY_LOG', `${level} prints bot tokens and members' raw WeChat ids: it is allowed only in development (MONGODB_URI unset, or ZHIMI_ENV=development); use silent, error, warn or info`);
  }
  return level;
}

/** The public address of the link server, checked: an http(s) address without user or query, https outside development. */
function publicUrlOf(value: string | undefined, development: boolean): string | undefined {
  if (!value) return undefined;
  const wrong = (why: string): ConfigError => envError('ZHIMI_PUBLIC_URL', `${why} (got ${JSON.stringify(value)})`);
  if (!URL.canParse(value)) throw wrong('must be the link server\'s public address, e.g. https://r.example.gov.cn');
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw wrong('must be an https:// address, e.g. https://r.example.gov.cn');
  if (url.protocol !== 'https:' && !development) throw wrong('must be an https:// address outside development: residents open these links');
  if (url.username || url.password || url.search || url.hash) throw wrong('must be a plain address, without user, password, query or #');
  return value.replace(/\/+$/, '');
}

/** A secret from the environment, or the development key kept in `file` when allowed. */
function secretKey(env: NodeJS.ProcessEnv, variable: string, devKeyAllowed: boolean, file: string, what: string): string {
  const value = env[variable];
  if (value !== undefined) {
    if (value.length === 0) throw envError(variable, `is set but empty: give a random secret of at least ${MIN_KEY_BYTES} bytes (e.g. \`openssl rand -hex 32\`), or unset it in development`);
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes < MIN_KEY_BYTES) throw envError(variable, `must be at least ${MIN_KEY_BYTES} bytes (got ${bytes}): a random secret, e.g. \`openssl rand -hex 32\``);
    return value;
  }
  if (!devKeyAllowed) {
    throw envError(
      variable,
      `must be set for any database other than the development one (MONGODB_URI is set, or ZHIMI_ENV=production): a random secret of at least ${MIN_KEY_BYTES} bytes (e.g. \`openssl rand -hex 32\`) that ${what}. A key is made by itself only for the development database (MONGODB_URI unset)`,
    );
  }
  return devKey(file, variable);
}

/** The development key of `file`, made (0600) the first time. */
function devKey(file: string, variable: string): string {
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (Buffer.byteLength(key, 'utf8') < MIN_KEY_BYTES) {
      throw new ConfigError([{ file, field: '', message: `holds a development key of ${Buffer.byteLength(key, 'utf8')} bytes: at least ${MIN_KEY_BYTES} are needed; delete the file to make a new one (or set ${variable})` }]);
    }
    return key;
  }
  const key = randomBytes(32).toString('hex');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, key + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

function envError(variable: string, message: string): ConfigError {
  return new ConfigError([{ file: 'environment', field: variable, message }]);
}

/** Define `key` of `target` as computed (and checked) when first read. */
function lazy<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  let value: T[K] | undefined;
  let done = false;
  // not enumerable: an env spread or logged whole carries no secret
  Object.defineProperty(target, key, {
    enumerable: false,
    configurable: true,
    get: () => {
      if (!done) {
        value = compute();
        done = true;
      }
      return value as T[K];
    },
  });
}
