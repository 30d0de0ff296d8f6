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

const GRANT_ZH: Record<string, string> = {
  'see campaigns': '查看活动', 'write or submit campaigns': '起草或提交活动', 'approve or reject campaigns': '审批活动',
  'pause, resume, cancel or run campaigns': '暂停、恢复、取消或执行活动', 'see groups': '查看群组', 'tag groups': '登记群组',
  'pause or resume groups': '暂停或恢复群组', 'bring bots into groups or command them there': '邀请机器人进群或在群里指挥机器人',
  'read reports': '查看报表', 'read the scam-check tips': '查看线索', 'see the fleet': '查看机器人', 'operate bots (QR login)': '操作机器人（扫码登录）',
  'use the scam check': '使用防骗咨询', 'manage users': '管理用户', 'read the audit log': '查看审计日志',
};
const targetZh = (t: string): string => {
  if (t === 'the group asked for') return '这个群';
  const audience = /^an audience of (.+)$/.exec(t);
  if (audience) return audience[1] === 'every district' ? '面向全市的受众' : `面向${audience[1]}的受众`;
  return t === 'an untagged group' ? '未登记的群' : t;
};

/**
 * A refusal (403) as an officer reads it. The server words it for the CLI
 * (`林警官 works for 仓山区: … is outside it`, `… (analyst) may not …`);
 * the two forms of `can` are said in Chinese, anything else gets a Chinese lead.
 */
export function refusalText(message: string): string {
  const scope = /^(.+) works for (.+?): (.+) is outside it$/.exec(message);
  if (scope) return `没有权限：${scope[1]}负责${scope[2]!.replace(/ \(the whole city\)$/, '')}，${targetZh(scope[3]!)}不在辖区内。`;
  const role = /^(.+) \((.*)\) may not (.+)$/.exec(message);
  if (role) return `没有权限：${role[1]}的角色不能${GRANT_ZH[role[3]!] ?? role[3]}。`;
  return `没有权限：${message}`;
}

/** The message to show for any error. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiFailure) return e.code === 'ZHIMI_E_FORBIDDEN' ? refusalText(e.message) : e.message;
  return e instanceof Error ? e.message : String(e);
}

/** Is this the answer of a route the server does not have yet (404 "no such address")? */
export function isMissingRoute(e: unknown): boolean {
  return e instanceof ApiFailure && e.status === 404 && /no such address/.test(e.message);
}
