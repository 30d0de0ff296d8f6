import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { campaignStatus, changeCampaign, exportCampaign, listCampaigns, previewCampaign, reviewCampaign, reviewInbox, reviewView, submitCampaign } from '../../app/campaigns.js';
import { ActionBody, CampaignStatusView, CampaignSummary, ChangeResultView, ErrorBody, PreviewView, ReviewBody, SubmitBody, SubmitResultView, VersionReviewView } from '../schemas.js';
import { actorOf } from '../request-actor.js';
import { CAMPAIGN_ID, definitionYaml } from '../../app/campaign-editor.js';

/** A campaign's id as campaign files spell it (never a path: the API reads no file a request names). */
const Id = z.object({ id: z.string().regex(CAMPAIGN_ID, 'a campaign id: lower-case letters, digits and dashes') });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const campaignRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (base, { ctx }) => {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['campaigns'];

  app.get('/api/campaigns', { schema: { tags, summary: 'Campaigns you may see (your scope\'s)', response: { 200: z.array(CampaignSummary), ...errors } } }, async (req) => listCampaigns(ctx, actorOf(req)));

  app.get('/api/campaigns/review', { schema: { tags, summary: 'Versions waiting for your review (not your own)', response: { 200: z.array(CampaignSummary), ...errors } } }, async (req) => reviewInbox(ctx, actorOf(req)));

  app.post('/api/campaigns', { schema: { tags, summary: 'Submit a campaign (its YAML) as a new version for review', body: SubmitBody, response: { 201: SubmitResultView, 200: SubmitResultView, ...errors } } }, async (req, reply) => {
    const r = await submitCampaign(ctx, actorOf(req), { yaml: req.body.yaml ?? definitionYaml(req.body.definition), source: req.body.source ?? (req.body.definition ? 'the console' : undefined), reason: req.body.reason });
    return reply.code(r.errors.length ? 200 : 201).send(r);
  });

  app.get('/api/campaigns/:id', { schema: { tags, summary: 'A campaign: status, versions, audit trail, runs, posts not sent and why', params: Id, response: { 200: CampaignStatusView, ...errors } } }, async (req) => campaignStatus(ctx, actorOf(req), req.params.id));

  app.get('/api/campaigns/:id/versions/:version', {
    schema: { tags, summary: 'One version as a reviewer sees it: what changed since the approved version, every post text it can send', params: Id.extend({ version: z.coerce.number().int().min(1) }), response: { 200: VersionReviewView, ...errors } },
  }, async (req) => reviewView(ctx, actorOf(req), req.params.id, req.params.version));

  app.get('/api/campaigns/:id/yaml', { schema: { tags, summary: 'A version as YAML (the latest unless ?version=)', params: Id, querystring: z.object({ version: z.coerce.number().int().min(1).optional() }), response: { 200: z.string(), ...errors } } }, async (req, reply) => {
    reply.type('text/yaml; charset=utf-8').header('content-disposition', `attachment; filename="${req.params.id}.yaml"`);
    return exportCampaign(ctx, actorOf(req), req.params.id, req.query.version);
  });

  app.get('/api/campaigns/:id/preview', { schema: { tags, summary: 'Next run times, groups per district and segment, the post each group would get; sends nothing', params: Id, querystring: z.object({ days: z.coerce.number().int().min(1).max(60).default(7) }), response: { 200: PreviewView, ...errors } } }, async (req) =>
    previewCampaign(ctx, actorOf(req), req.params.id, req.query.days));

  for (const action of ['approve', 'reject'] as const) {
    app.post(`/api/campaigns/:id/${action}`, { schema: { tags, summary: `${action === 'approve' ? 'Approve' : 'Reject (with a reason)'} the version you saw; never your own`, params: Id, body: ReviewBody, response: { 200: ChangeResultView, ...errors } } }, async (req) =>
      reviewCampaign(ctx, actorOf(req), req.params.id, { version: req.body.version, approve: action === 'approve', reason: req.body.reason }));
  }
  for (const action of ['pause', 'resume', 'cancel', 'run-now'] as const) {
    app.post(`/api/campaigns/:id/${action}`, { schema: { tags, summary: `${action} a campaign (publishers)`, params: Id, body: ActionBody, response: { 200: ChangeResultView, ...errors } } }, async (req) =>
      changeCampaign(ctx, actorOf(req), req.params.id, action, req.body.reason));
  }
};
