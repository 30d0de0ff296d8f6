import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { campaignDraft, checkDefinition, parseCampaignYaml, saveCampaignDraft } from '../../app/campaign-editor.js';
import { listPosts } from '../../app/posts.js';
import { referenceData } from '../../app/reference.js';
import { estimateUrgent } from '../../app/urgent.js';
import { UrgentEstimateBody, UrgentEstimateView, CheckBody, CheckView, DraftBody, DraftView, ErrorBody, ParseBody, ParseView, PostQuery, PostView, ReferenceView } from '../schemas.js';
import { actorOf } from '../request-actor.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** What the console's campaign editor needs: reference data, the content library, checking a definition, YAML import, drafts. */
export const editorRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (base, { ctx }) => {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['campaign editor'];
  app.get('/api/reference', { schema: { tags, summary: 'Districts and police stations, segments, scam types, post tags, quiet hours', response: { 200: ReferenceView, ...errors } } }, async (req) => {
    actorOf(req);
    return referenceData(ctx);
  });
  app.get('/api/posts', { schema: { tags, summary: 'The reviewed posts: each variant as groups read it, where it is used, how it did in 30 days', querystring: PostQuery, response: { 200: z.array(PostView), ...errors } } }, async (req) =>
    listPosts(ctx, actorOf(req), req.query));
  app.post('/api/campaigns/check', { schema: { tags, summary: 'Check a definition as `zhimi campaign validate` does (problems by field), and whom it reaches and when', body: CheckBody, response: { 200: CheckView, ...errors } } }, async (req) =>
    checkDefinition(ctx, actorOf(req), req.body.definition));
  app.post('/api/campaigns/parse', { schema: { tags, summary: 'A campaign file\'s text as a definition (YAML import), or its problems', body: ParseBody, response: { 200: ParseView, ...errors } } }, async (req) => {
    actorOf(req);
    return parseCampaignYaml(req.body.yaml);
  });
  const Id = z.object({ id: z.string().min(1).max(80) });
  app.put('/api/campaigns/:id/draft', { schema: { tags, summary: 'Keep a draft (new campaign, or the next version of one); never reviewed or run', params: Id, body: DraftBody, response: { 200: DraftView, ...errors } } }, async (req) =>
    saveCampaignDraft(ctx, actorOf(req), req.params.id, req.body.definition));
  app.post('/api/urgent/estimate', { schema: { tags: ['urgent alert'], summary: 'An urgent alert as a campaign, and how long it will take to reach every targeted group with the bots online now', body: UrgentEstimateBody, response: { 200: UrgentEstimateView, ...errors } } }, async (req) =>
    estimateUrgent(ctx, actorOf(req), req.body));
  app.get('/api/campaigns/:id/draft', { schema: { tags, summary: 'A campaign\'s draft', params: Id, response: { 200: DraftView, ...errors } } }, async (req) => campaignDraft(ctx, actorOf(req), req.params.id));
};
