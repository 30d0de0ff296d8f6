import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { fleetStatus } from '../../app/fleet-status.js';
import { loginQrSvg } from '../../app/login-qr.js';
import { analystReport, tipsReport, ANALYST_REPORTS, type AnalystReportKind, type TipsBy } from '../../app/reports.js';
import { checkText } from '../../app/scamcheck.js';
import { listAudit, verifyAudit } from '../../app/audit.js';
import { requireGrant } from '../../app/errors.js';
import type { Actor } from '../../shared/permissions.js';
import { shanghaiDay, shiftDay } from '../../config/clock.js';
import { REPORT_DIMS, type ReportDim } from '../../reports/tabulate.js';
import { WeeklyReportView, AuditEntryView, AuditVerifyView, ErrorBody, FleetView, ReportQuery, ReportView, ScamCheckBody, ScamCheckView, TipsQuery, TipsView } from '../schemas.js';
import { actorOf } from '../request-actor.js';
import { ConfigError } from '../../config/errors.js';
import { formatRows } from '../../reports/format.js';
import { xlsx } from '../../reports/xlsx.js';
import { listWeekly, weeklyFile } from '../../app/weekly-reports.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
/** A file (.csv, .xlsx), sent as it is. */
const FileBody = z.unknown().describe('the file');

/** Words of a comma-separated list, each one of `allowed`. */
function words<T extends string>(text: string | undefined, allowed: readonly T[], field: string, fallback: T[]): T[] {
  if (!text) return fallback;
  const items = text.split(/[,，\s]+/).filter(Boolean);
  const bad = items.filter((i) => !allowed.includes(i as T));
  if (bad.length) throw new ConfigError([{ file: 'request', field, message: `must be one or more of ${allowed.join(', ')} (got ${bad.join(', ')})` }]);
  return items as T[];
}

/** The fleet, reports, the scam check and the audit. */
export const operatorRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (base, { ctx }) => {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const period = (q: { from?: string | undefined; to?: string | undefined }, days: number) => {
    const to = q.to ?? shanghaiDay(ctx.clock.now());
    return { from: q.from ?? shiftDay(to, -(days - 1)), to };
  };

  app.get('/api/fleet', { schema: { tags: ['fleet'], summary: 'Each bot\'s state, worker, groups, queue, back-off and why it does not send; the workers running', response: { 200: FleetView, ...errors } } }, async (req) => {
    requireGrant(actorOf(req), 'fleet:read');
    return fleetStatus(ctx);
  });

  const Kind = z.object({ kind: z.enum(Object.keys(ANALYST_REPORTS) as [AnalystReportKind, ...AnalystReportKind[]]) });
  /** A report as the query asks for it (the same figures as `zhimi report`). */
  const report = (actor: Actor, kind: AnalystReportKind, q: z.output<typeof ReportQuery>) => {
    const by = words<ReportDim>(q.by, REPORT_DIMS, 'by', [...ANALYST_REPORTS[kind].by] as ReportDim[]);
    return analystReport(ctx, actor, kind, { ...period(q, 30), by, top: q.top ?? 20, ...(q.campaign ? { campaign: q.campaign } : {}), ...(q.segment ? { segment: q.segment } : {}), ...(q.district ? { district: q.district } : {}) });
  };
  app.get('/api/fleet/:bot/qr.svg', { schema: { tags: ['fleet'], summary: 'The QR code a bot\'s account must scan to log in, while one waits (fleet operators; each showing audited)', params: z.object({ bot: z.string().min(1).max(64) }), response: { 200: FileBody, ...errors, 404: ErrorBody } } }, async (req, reply) => {
    const svg = await loginQrSvg(ctx, actorOf(req), req.params.bot);
    return reply.type('image/svg+xml').header('cache-control', 'no-store').send(svg);
  });

  app.get('/api/reports/:kind', {
    schema: { tags: ['reports'], summary: 'An analysts\' report over the daily counters (days are Asia/Shanghai)', params: Kind, querystring: ReportQuery, response: { 200: ReportView, ...errors } },
  }, async (req) => report(actorOf(req), req.params.kind, req.query));

  app.get('/api/reports/:kind/export', {
    schema: { tags: ['reports'], summary: 'A report as a file: CSV (UTF-8 with BOM, cells that start like a formula made text) or XLSX', params: Kind, querystring: ReportQuery.extend({ format: z.enum(['csv', 'xlsx']).default('xlsx') }), response: { 200: FileBody, ...errors } },
  }, async (req, reply) => {
    const q = req.query;
    const r = await report(actorOf(req), req.params.kind, q);
    const p = period(q, 30);
    const name = `zhimi-${req.params.kind}-${p.from}-${p.to}`;
    reply.header('content-disposition', `attachment; filename="${name}.${q.format}"`);
    if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send('\ufeff' + formatRows(r.rows, 'csv'));
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(xlsx([{ name: req.params.kind, rows: r.rows }]));
  });

  app.get('/api/weekly-reports', { schema: { tags: ['reports'], summary: 'The weekly reports you may read (per district and the city), newest week first', response: { 200: z.array(WeeklyReportView), ...errors } } }, async (req) =>
    listWeekly(ctx, actorOf(req)));
  app.get('/api/weekly-reports/:id', { schema: { tags: ['reports'], summary: 'A weekly report\'s .xlsx file', params: z.object({ id: z.string().min(1).max(100) }), response: { 200: FileBody, ...errors, 404: ErrorBody } } }, async (req, reply) => {
    const f = await weeklyFile(ctx, actorOf(req), req.params.id);
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.fileName)}`).send(f.bytes);
  });

  app.get('/api/tips', { schema: { tags: ['reports'], summary: 'What residents asked the scam check about, by type, district, day or risk, and the latest masked texts', querystring: TipsQuery, response: { 200: TipsView, ...errors } } }, async (req) => {
    const q = req.query;
    return tipsReport(ctx, actorOf(req), { ...period(q, 7), by: words<TipsBy>(q.by, ['type', 'district', 'day', 'risk'], 'by', ['type']), type: q.type, district: q.district, latest: q.latest ?? 0 });
  });

  app.post('/api/scamcheck', { schema: { tags: ['scam check'], summary: 'The answer the bot would give to a text', body: ScamCheckBody, response: { 200: ScamCheckView, ...errors } } }, async (req) => {
    requireGrant(actorOf(req), 'scamcheck:use');
    const { answer, assessment: a } = checkText(ctx, req.body.text, req.body.segment);
    return { answer, risk: a.risk, score: a.score, type: a.type, typeName: a.typeName, signals: a.signals.map((s) => s.label) };
  });

  app.get('/api/audit', { schema: { tags: ['audit'], summary: 'The audit log, newest first', querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200), before: z.coerce.number().int().optional() }), response: { 200: z.array(AuditEntryView), ...errors } } }, async (req) =>
    listAudit(ctx, actorOf(req), { limit: req.query.limit, ...(req.query.before !== undefined ? { before: req.query.before } : {}) }));

  app.get('/api/audit/verify', { schema: { tags: ['audit'], summary: 'Check the audit chain: the first entry edited, removed, reordered or forged, if any', response: { 200: AuditVerifyView, ...errors } } }, async (req) => {
    requireGrant(actorOf(req), 'audit:read');
    return verifyAudit(ctx);
  });
};
