import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { addUser, changeUser, enrollTotp, listUsers, resetPassword } from '../../app/users.js';
import { ErrorBody, NewUserBody, PasswordBody, UserChangeBody, UserView } from '../schemas.js';
import { actorOf } from '../request-actor.js';

const Id = z.object({ id: z.string().min(1).max(64) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** Users, for admins. */
export const userRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (base, { ctx }) => {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['users'];
  app.get('/api/users', { schema: { tags, summary: 'Every user', response: { 200: z.array(UserView), ...errors } } }, async (req) => listUsers(ctx, actorOf(req)));
  app.post('/api/users', { schema: { tags, summary: 'Add a user (a password is made and shown once unless given)', body: NewUserBody, response: { 201: z.object({ user: UserView, password: z.string().optional() }), ...errors } } }, async (req, reply) =>
    reply.code(201).send(await addUser(ctx, actorOf(req), req.body)));
  app.patch('/api/users/:id', { schema: { tags, summary: 'Change a user\'s name, roles, scope, WeChat ids; disable or enable them', params: Id, body: UserChangeBody, response: { 200: UserView, ...errors } } }, async (req) =>
    changeUser(ctx, actorOf(req), req.params.id, req.body));
  app.post('/api/users/:id/password', { schema: { tags, summary: 'A new password (made and shown once unless given); ends the user\'s sessions', params: Id, body: PasswordBody, response: { 200: z.object({ password: z.string().optional() }), ...errors } } }, async (req) =>
    resetPassword(ctx, actorOf(req), req.params.id, req.body.password));
  app.post('/api/users/:id/totp', { schema: { tags, summary: 'Enroll a one-time-code app: the otpauth URI to scan (shown once)', params: Id, response: { 200: z.object({ uri: z.string(), secret: z.string() }), ...errors } } }, async (req) =>
    enrollTotp(ctx, actorOf(req), req.params.id));
};
