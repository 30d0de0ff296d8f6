import { ConfigError } from '../config/errors.js';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError } from '../app/errors.js';

/**
 * The CLI's way to act as a person: through the HTTP API with an API token
 * (`zhimi login` stores one, mode 0600; or ZHIMI_TOKEN), so every officer
 * action is checked and audited as that user, exactly as in the console.
 */

export interface Credentials {
  url: string;
  token: string;
  user: string;
  tokenId: string;
}

/** The API's address: ZHIMI_API_URL, else what `zhimi login` stored, else the local default. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'zhimi', 'credentials.json');
}

export function readCredentials(env: NodeJS.ProcessEnv = process.env): Partial<Credentials> {
  const file = credentialsFile(env);
  const stored = existsSync(file) ? storedCredentials(file) : {};
  return { ...stored, ...(env['ZHIMI_TOKEN'] ? { token: env['ZHIMI_TOKEN'] } : {}), ...(env['ZHIMI_API_URL'] ? { url: env['ZHIMI_API_URL'] } : {}) };
}

function storedCredentials(file: string): Partial<Credentials> {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (c && typeof c === 'object' && !Array.isArray(c)) return c as Partial<Credentials>;
  } catch {
    // said below
  }
  throw new ConfigError([{ file, field: '', message: 'is not the JSON `zhimi login` writes: sign in again with zhimi login (or remove the file)' }]);
}

export function saveCredentials(c: Credentials, env: NodeJS.ProcessEnv = process.env): string {
  const file = credentialsFile(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export function forgetCredentials(env: NodeJS.ProcessEnv = process.env): void {
  rmSync(credentialsFile(env), { force: true });
}

/** A call to the API; an error answer becomes an AppError with its code (so the exit code says what kind it is). */
export async function callApi<T>(method: string, path: string, body?: unknown, o: { env?: NodeJS.ProcessEnv; anonymous?: boolean } = {}): Promise<T> {
  const c = readCredentials(o.env);
  const url = (c.url ?? DEFAULT_API_URL).replace(/\/+$/, '');
  if (!o.anonymous && !c.token) throw new AppError('ZHIMI_E_AUTH', 'not signed in: run `zhimi login` (or set ZHIMI_TOKEN to an API token)');
  let res: Response;
  try {
    res = await fetch(url + path, {
      method,
      headers: { ...(c.token && !o.anonymous ? { authorization: `Bearer ${c.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new AppError('ZHIMI_E_API_UNREACHABLE', `cannot reach the Zhimi API at ${url}: is \`zhimi serve\` running there? (ZHIMI_API_URL sets the address)`, { cause: err });
  }
  const text = await res.text();
  const json = text && /json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as unknown) : text;
  if (!res.ok) {
    const e = json as { code?: string; message?: string } | undefined;
    throw new AppError((e?.code ?? 'ZHIMI_E_INVALID') as never, e?.message ?? `${res.status} ${res.statusText}`);
  }
  return json as T;
}
