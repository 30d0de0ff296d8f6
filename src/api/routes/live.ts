import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { dashboard } from '../../app/dashboard.js';
import { tipSpikesToday } from '../../app/reports.js';
import { DashboardView, ErrorBody, TipSpikeView } from '../schemas.js';
import { actorOf, credentialsOf } from '../request-actor.js';
import { LiveFeed } from '../live-feed.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** The dashboard, the live feed and today's tip spikes. */
export const liveRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (base, { ctx }) => {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const feed = new LiveFeed(ctx);
  app.addHook('onClose', async () => feed.stop());
  app.get('/api/dashboard', { schema: { tags: ['dashboard'], summary: 'Tiles, 30 days of trend, fleet health, runs in progress, what needs a person now (your scope and roles)', response: { 200: DashboardView, ...errors } } }, async (req) =>
    dashboard(ctx, actorOf(req)));
  app.get('/api/events', { schema: { tags: ['dashboard'], summary: 'Server-sent events: `progress` (runs in progress) and `fleet`, whenever they change' } }, async (req, reply) => {
    const actor = actorOf(req);
    reply.hijack();
    feed.add(actor, reply.raw, async () => (await credentialsOf(ctx, req)).actor);
  });
  app.get('/api/tips/spikes', { schema: { tags: ['reports'], summary: 'Scam types asked about today in a district far above their trailing four weeks, with the segments they hit', response: { 200: z.array(TipSpikeView), ...errors } } }, async (req) =>
    tipSpikesToday(ctx, actorOf(req)));
};
