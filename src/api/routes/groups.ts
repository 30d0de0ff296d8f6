import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { listGroups, pauseGroup, tagGroup } from '../../app/groups.js';
import { ActionBody, ErrorBody, GroupView, TagBody } from '../schemas.js';
import { actorOf } from '../request-actor.js';

const Ref = z.object({ ref: z.string().min(1).max(200).describe('the group\'s id, room id or name') });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export const groupRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (base, { ctx }) => {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['groups'];
  app.get('/api/groups', { schema: { tags, summary: 'The groups you may see (your scope\'s); pending ones with a tag suggestion', querystring: z.object({ pending: z.coerce.boolean().optional() }), response: { 200: z.array(GroupView), ...errors } } }, async (req) =>
    listGroups(ctx, actorOf(req), { pending: req.query.pending }));
  app.post('/api/groups/:ref/tag', { schema: { tags, summary: 'Tag a group with district, police station and segments (a pending group becomes active)', params: Ref, body: TagBody, response: { 200: GroupView, ...errors } } }, async (req) =>
    tagGroup(ctx, actorOf(req), req.params.ref, req.body));
  for (const paused of [true, false]) {
    app.post(`/api/groups/:ref/${paused ? 'pause' : 'resume'}`, { schema: { tags, summary: paused ? 'Pause a group\'s campaign posts (skips the ones planned)' : 'Resume a group\'s campaign posts', params: Ref, body: ActionBody, response: { 200: z.object({ group: GroupView, skipped: z.number() }), ...errors } } }, async (req) =>
      pauseGroup(ctx, actorOf(req), req.params.ref, paused));
  }
};
