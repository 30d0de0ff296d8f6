import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { groupDetail, groupPage, pauseGroup, tagGroup, tagPendingAsSuggested } from '../../app/groups.js';
import { AcceptSuggestionsBody, AcceptSuggestionsView, ActionBody, ErrorBody, GroupDetailView, GroupPage, GroupPageQuery, GroupView, TagBody } from '../schemas.js';
import { actorOf } from '../request-actor.js';

const Ref = z.object({ ref: z.string().min(1).max(200).describe('the group\'s id, room id or name') });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export const groupRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (base, { ctx }) => {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['groups'];
  app.get('/api/groups', { schema: { tags, summary: 'One page of the groups you may see (your scope\'s) that the filter keeps, by name; pending ones with a tag suggestion', querystring: GroupPageQuery, response: { 200: GroupPage, ...errors } } }, async (req) =>
    groupPage(ctx, actorOf(req), req.query));
  app.get('/api/groups/:ref', { schema: { tags, summary: 'A group with its latest posts and its engagement over 30 days', params: Ref, response: { 200: GroupDetailView, ...errors } } }, async (req) =>
    groupDetail(ctx, actorOf(req), req.params.ref));
  app.post('/api/groups/accept-suggestions', { schema: { tags, summary: 'Tag pending groups as their names suggest (the ones named, or all you may tag)', body: AcceptSuggestionsBody, response: { 200: AcceptSuggestionsView, ...errors } } }, async (req) =>
    tagPendingAsSuggested(ctx, actorOf(req), { ids: req.body.ids, tags: req.body.tags }));
  app.post('/api/groups/:ref/tag', { schema: { tags, summary: 'Tag a group with district, police station and segments (a pending group becomes active)', params: Ref, body: TagBody, response: { 200: GroupView, ...errors } } }, async (req) =>
    tagGroup(ctx, actorOf(req), req.params.ref, req.body));
  for (const paused of [true, false]) {
    app.post(`/api/groups/:ref/${paused ? 'pause' : 'resume'}`, { schema: { tags, summary: paused ? 'Pause a group\'s campaign posts (skips the ones planned)' : 'Resume a group\'s campaign posts', params: Ref, body: ActionBody, response: { 200: z.object({ group: GroupView, skipped: z.number() }), ...errors } } }, async (req) =>
      pauseGroup(ctx, actorOf(req), req.params.ref, paused));
  }
};
