import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server.js';
import type { AppContext } from '../../src/app/context.js';
import { addUser, LOCAL_OPERATOR } from '../../src/app/users.js';
import { createApiToken } from '../../src/app/auth.js';

/** A password every test user has (long enough for the password rule). */
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: string;
  name: string;
  roles: string[];
  scope?: string;
  wechatIds?: string[];
}

/** Users of a test, added as the server's operator would (`zhimi users add`). */
export async function addPeople(ctx: AppContext, people: readonly TestUser[]): Promise<void> {
  for (const p of people) await addUser(ctx, LOCAL_OPERATOR, { ...p, password: TEST_PASSWORD });
}

/** An API token of a user, as `zhimi login` would keep it. */
export async function tokenOf(ctx: AppContext, userId: string): Promise<string> {
  return (await createApiToken(ctx, { userId, password: TEST_PASSWORD }, { name: 'test' })).token;
}

/** The API listening on a free loopback port (cookies not Secure: plain http). */
export async function listeningApi(ctx: AppContext, o: { consoleDir?: string } = {}): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const app = await buildApi({ ctx, secureCookies: false, ...(o.consoleDir ? { consoleDir: o.consoleDir } : {}) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return { app: app as unknown as FastifyInstance, url, close: () => app.close() };
}
