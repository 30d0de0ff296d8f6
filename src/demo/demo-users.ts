import type { FleetConfig } from '../config/bots.js';
import type { NewUserInput } from '../app/users.js';

/** A user of the demo, with the password made for it. */
export interface DemoUser extends NewUserInput {
  roles: string[];
  password: string;
}

/**
 * The demo's people: each officer of the simulated world (their WeChat
 * account bound to their user: they bring bots into their groups and tag
 * them) — the district ones for their district, the city's publicity officer
 * for the whole city, who also writes the campaigns — a reviewer and an analyst.
 */
export function demoUsers(fleet: Pick<FleetConfig, 'officers'>): Omit<DemoUser, 'password'>[] {
  const login = (wechatId: string): string => wechatId.replace(/^officer-/, '').split('-').reverse().join('.');
  return [
    ...fleet.officers.map((o) => ({
      id: login(o.id), name: o.name, wechatIds: [o.id],
      roles: ['drafter', 'publisher', 'operator'],
      ...(o.district ? { scope: o.district } : {}),
    })),
    { id: 'liu.review', name: '刘审核', roles: ['reviewer'] },
    { id: 'zhao.analyst', name: '赵分析', roles: ['analyst'] },
  ];
}

/** Sign in to the API as a user; returns a caller that sends the session cookie and CSRF token with each request. */
export async function signInAs(apiUrl: string, u: Pick<DemoUser, 'id' | 'password'>): Promise<<T = unknown>(method: string, path: string, body?: unknown) => Promise<T>> {
  const res = await fetch(`${apiUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: u.id, password: u.password }) });
  if (!res.ok) throw new Error(`sign-in of ${u.id} failed: ${await res.text()}`);
  const { csrf } = (await res.json()) as { csrf: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${apiUrl}${path}`, { method, headers: { cookie, 'x-csrf-token': csrf, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path} as ${u.id}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
