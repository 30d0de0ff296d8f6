import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import type { Clock } from '../../config/clock.js';
import { AUTH_SETTINGS, createApiToken, listApiTokens, revokeApiToken, signIn, signOut } from '../../app/auth.js';
import { AppError } from '../../app/errors.js';
import { grantsOf, scopeName, type Actor } from '../../shared/permissions.js';
import { ActorView, ErrorBody, NewTokenView, SessionView, SignInBody, TokenBody, TokenView } from '../schemas.js';
import { actorOf, SESSION_COOKIE } from '../request-actor.js';

/** The actor as the console shows it. */
export function actorView(a: Actor): z.output<typeof ActorView> {
  return { id: a.id, name: a.name, roles: [...a.roles], scope: scopeName(a.scope), district: a.scope.kind === 'city' ? null : a.scope.district, grants: [...grantsOf(a)] };
}

/** Sign-in tries per client address, in the last minute (one instance's count: enough to slow guessing down; the lock-out per user is shared). */
function tryCounter(perMinute: number, clock: Clock): (req: FastifyRequest) => void {
  const tries = new Map<string, number[]>();
  return (req) => {
    const now = clock.now().getTime();
    const recent = (tries.get(req.ip) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= perMinute) throw new AppError('ZHIMI_E_LOCKED', 'too many sign-in tries from this address: wait a minute');
    recent.push(now);
    tries.set(req.ip, recent);
    if (tries.size > 10_000) tries.clear();
  };
}

export const authRoutes: FastifyPluginAsync<{ ctx: AppContext; secureCookies: boolean; signInsPerMinute: number }> = async (base, { ctx, secureCookies, signInsPerMinute }) => {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const count = tryCounter(signInsPerMinute, ctx.clock);
  const tags = ['sign-in'];

  app.post('/api/session', { schema: { tags, summary: 'Sign in: sets the session cookie; the answer carries the CSRF token to send with changes', body: SignInBody, response: { 200: SessionView, 401: ErrorBody, 429: ErrorBody } } }, async (req, reply) => {
    count(req);
    const s = await signIn(ctx, { userId: req.body.user, password: req.body.password, totp: req.body.totp });
    reply.setCookie(SESSION_COOKIE, s.sessionId, { httpOnly: true, sameSite: 'strict', secure: secureCookies, path: '/', expires: s.expiresAt });
    return { actor: actorView(s.actor), csrf: s.csrf, expiresAt: s.expiresAt };
  });

  app.get('/api/session', { schema: { tags, summary: 'Who is signed in (with an API token: no CSRF token, and the token\'s own expiry is not shown here)', response: { 200: SessionView, 401: ErrorBody } } }, async (req) => {
    const actor = actorOf(req);
    return { actor: actorView(actor), csrf: req.sessionCsrf ?? '', expiresAt: req.sessionExpiresAt ?? new Date(ctx.clock.now().getTime() + AUTH_SETTINGS.sessionMs) };
  });

  app.delete('/api/session', { schema: { tags, summary: 'Sign out', response: { 204: z.null() } } }, async (req, reply) => {
    const sid = req.cookies[SESSION_COOKIE];
    if (sid) await signOut(ctx, sid);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  app.post('/api/tokens', { schema: { tags, summary: 'Make an API token for scripts (shown once): signed in, or with user and password', body: TokenBody, response: { 201: NewTokenView, 401: ErrorBody, 403: ErrorBody } } }, async (req, reply) => {
    const b = req.body;
    if (!req.actor && b.user && b.password) count(req);
    const who = req.actor ?? (b.user && b.password ? { userId: b.user, password: b.password, totp: b.totp } : actorOf(req));
    return reply.code(201).send(await createApiToken(ctx, who, { name: b.name, roles: b.roles, days: b.days }));
  });

  app.get('/api/tokens', { schema: { tags, summary: 'Your API tokens (an admin: everyone\'s), without their secrets', response: { 200: z.array(TokenView) } } }, async (req) => listApiTokens(ctx, actorOf(req)));

  app.delete('/api/tokens/:tokenId', { schema: { tags, summary: 'Revoke an API token', params: z.object({ tokenId: z.string() }), response: { 204: z.null(), 403: ErrorBody, 404: ErrorBody } } }, async (req, reply) => {
    await revokeApiToken(ctx, actorOf(req), req.params.tokenId);
    return reply.code(204).send(null);
  });
};
