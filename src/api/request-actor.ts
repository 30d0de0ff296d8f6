import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.js';
import { sessionActor, tokenActor } from '../app/auth.js';
import { unauthenticated } from '../app/errors.js';
import type { Actor } from '../shared/permissions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is acting, when the request carries a session cookie or an API token that holds. */
    actor?: Actor;
    /** The session's CSRF token (cookie sessions). */
    sessionCsrf?: string;
    /** When the session ends (cookie sessions). */
    sessionExpiresAt?: Date;
  }
}

/** The cookie of a browser session. */
export const SESSION_COOKIE = 'zhimi_session';

/** The acting user of a request, or 401 with what to do. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw unauthenticated('sign in first (POST /api/session), or send an API token: Authorization: Bearer zhm_…');
  return req.actor;
}

/** What a request's credentials prove, read again from the database: an API token first, else the session cookie. */
export async function credentialsOf(ctx: AppContext, req: FastifyRequest): Promise<{ bearer: boolean; actor?: Actor | undefined; csrf?: string; expiresAt?: Date }> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return { bearer: true, actor: await tokenActor(ctx, bearer) };
  const sid = req.cookies[SESSION_COOKIE];
  const s = sid ? await sessionActor(ctx, sid) : undefined;
  return { bearer: false, ...s };
}
