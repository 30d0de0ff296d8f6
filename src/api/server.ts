import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { ConfigError } from '../config/errors.js';
import type { AppContext } from '../app/context.js';
import { classifyError, unauthenticated, AppError, type ErrorKind } from '../app/errors.js';
import { credentialsOf, SESSION_COOKIE } from './request-actor.js';
import { authRoutes } from './routes/auth.js';
import { campaignRoutes } from './routes/campaigns.js';
import { editorRoutes } from './routes/editor.js';
import { liveRoutes } from './routes/live.js';
import { groupRoutes } from './routes/groups.js';
import { operatorRoutes } from './routes/operator.js';
import { userRoutes } from './routes/users.js';

export { SESSION_COOKIE } from './request-actor.js';

export interface ApiOptions {
  ctx: AppContext;
  /** Mark the session cookie Secure (only sent over https; browsers accept it on http://localhost). @defaultValue true */
  secureCookies?: boolean;
  /** The built console (web/dist), served at `/`; none when absent. */
  consoleDir?: string | undefined;
  /** Sign-in tries per client address a minute. @defaultValue 20 */
  signInsPerMinute?: number;
}

/** HTTP status of each kind of error (the body is always `{ code, message }`). */
const STATUS: Record<ErrorKind, number> = {
  invalid: 400, 'not-found': 404, unauthenticated: 401, forbidden: 403, locked: 429, conflict: 409, refused: 409, database: 503, wechat: 502, unavailable: 503, internal: 500,
};

/**
 * Zhimi's HTTP API as a fastify app, built without listening (tests call
 * `inject()`; `zhimi serve` listens). Every use case of src/app/ behind
 * sessions (httpOnly, SameSite=Strict, Secure cookies, with a CSRF token for
 * changes) or API tokens; errors as `{ code, message }`; the OpenAPI
 * document at /api/openapi.json and interactive docs at /api/docs.
 */
export async function buildApi(o: ApiOptions) {
  const { ctx } = o;
  const app = fastify({ loggerInstance: ctx.log.child({ module: 'api' }), trustProxy: false, bodyLimit: 1_000_000 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Zhimi (织密) API', description: 'Campaigns, groups, the fleet, reports and the scam check of Zhimi. Sign in (POST /api/session) or send an API token as `Authorization: Bearer zhm_…`. Errors are `{ code, message }` (README: error codes).', version: '1' },
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
      security: [{ token: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  app.decorateRequest('actor', undefined);
  app.decorateRequest('sessionCsrf', undefined);
  app.decorateRequest('sessionExpiresAt', undefined);
  // who is acting: an API token, else a session cookie (changes through a cookie session need its CSRF token)
  app.addHook('preHandler', async (req) => {
    const c = await credentialsOf(ctx, req);
    if (c.bearer) {
      if (!c.actor) throw unauthenticated('the API token is unknown, expired or revoked: make a new one (zhimi login)');
      req.actor = c.actor;
      return;
    }
    if (!c.actor) return;
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !sameSecret(req.headers['x-csrf-token'], c.csrf!)) {
      throw new AppError('ZHIMI_E_CSRF', 'this change needs the x-csrf-token header of the session (the console sends it; sign in again if it was lost)');
    }
    req.actor = c.actor;
    req.sessionCsrf = c.csrf;
    req.sessionExpiresAt = c.expiresAt;
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = (err.validation as { instancePath?: string; message?: string }[]).map((i) => `${err.validationContext ?? 'request'}${i.instancePath?.replaceAll('/', '.') ?? ''}: ${i.message}`);
      return reply.code(400).send({ code: 'ZHIMI_E_INVALID', message: issues.join('; ') });
    }
    // a request's own fields are ZHIMI_E_INVALID; a campaign, post or setting it names is ZHIMI_E_CONFIG
    if (err instanceof ConfigError) return reply.code(400).send({ code: err.problems.every((p) => p.file === 'request') ? 'ZHIMI_E_INVALID' : err.code, message: err.message });
    const { code, kind } = classifyError(err);
    if (kind === 'internal' && err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ code: 'ZHIMI_E_INVALID', message: err.message });
    if (kind === 'internal') req.log.error({ err }, 'request failed');
    return reply.code(STATUS[kind]).send({ code, message: kind === 'internal' ? 'Zhimi failed; the log says why' : err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'ZHIMI_E_NOT_FOUND', message: `no such address: ${req.method} ${req.url.split('?')[0]}` }));

  app.get('/healthz', { schema: { hide: true } }, async () => 'ok');
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(authRoutes, { ctx, secureCookies: o.secureCookies ?? true, signInsPerMinute: o.signInsPerMinute ?? 20 });
  await app.register(campaignRoutes, { ctx });
  await app.register(editorRoutes, { ctx });
  await app.register(liveRoutes, { ctx });
  await app.register(groupRoutes, { ctx });
  await app.register(operatorRoutes, { ctx });
  await app.register(userRoutes, { ctx });

  if (o.consoleDir && existsSync(o.consoleDir)) {
    await app.register(fastifyStatic, { root: o.consoleDir, prefix: '/', wildcard: false });
    // the console's own routes (/campaigns/…): its page, which reads the path itself
    app.get('/*', { schema: { hide: true } }, (req, reply) => (req.url.startsWith('/api/') ? reply.callNotFound() : reply.sendFile('index.html')));
  }
  return app;
}

/** A secret sent back compared in constant time. */
function sameSecret(sent: string | string[] | undefined, want: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}
