import { session, setSession } from './session';
import type { Session } from './types';

/** An error the API answered with (`{ code, message }`), or a network failure. */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Called on 401: the router sends the user to sign in and back. */
let onUnauthenticated: () => void = () => undefined;
export function whenSignedOut(f: () => void): void {
  onUnauthenticated = f;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, q?: Query): string {
  if (!q) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

async function call<T>(method: string, path: string, body?: unknown, o: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && session.csrf) headers['x-csrf-token'] = session.csrf;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiFailure(0, 'ZHIMI_E_NETWORK', '连不上服务器：请检查网络后重试 (the server did not answer)');
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json().catch(() => undefined) : await res.text();
  if (!res.ok) {
    const e = (data && typeof data === 'object' ? data : {}) as { code?: string; message?: string };
    if (res.status === 401 && !o.quiet401) {
      setSession(null);
      onUnauthenticated();
    }
    throw new ApiFailure(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? (typeof data === 'string' && data ? data.slice(0, 300) : `服务器返回 ${res.status}`));
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, q?: Query) => call<T>('GET', withQuery(path, q)),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
  del: <T>(path: string) => call<T>('DELETE', path),
  /** GET /api/session without the sign-in redirect (null: not signed in). */
  async session(): Promise<Session | null> {
    try {
      const s = await call<Session>('GET', '/api/session', undefined, { quiet401: true });
      return s.csrf ? s : null;
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 401) return null;
      throw e;
    }
  },
  signIn: (body: unknown) => call<Session>('POST', '/api/session', body, { quiet401: true }),
};

/** The message to show for any error. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiFailure) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/** Is this the answer of a route the server does not have yet (404 "no such address")? */
export function isMissingRoute(e: unknown): boolean {
  return e instanceof ApiFailure && e.status === 404 && /no such address/.test(e.message);
}
