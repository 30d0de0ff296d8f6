import { z } from 'zod';
import { SEGMENTS } from '../shared/groups.js';
import { quietHoursSchema } from '../config/bots-schema.js';
import { MAX_BODY_CHARS } from '../content/post-schema.js';

/** A date (Asia/Shanghai midnight) or a full time; a day that does not exist (2026-02-30) is refused, not rolled over into March. */
const day = z
  .union([z.date(), z.string().regex(/^\d{4}-\d{2}-\d{2}(T.*)?$/, 'must be a date like 2026-11-01 or a time like 2026-11-11T19:30:00+08:00')])
  .superRefine((v, ctx) => {
    if (typeof v === 'string' && !isRealDate(v)) ctx.addIssue({ code: 'custom', message: 'is not a date that exists: give a date like 2026-11-01 or a time like 2026-11-11T19:30:00+08:00', input: v });
  })
  .transform((v) => (v instanceof Date ? v : new Date(v.length === 10 ? `${v}T00:00:00+08:00` : v)));

/** A calendar day that exists, and a time that parses. */
function isRealDate(v: string): boolean {
  const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth) return false;
  return !Number.isNaN(new Date(v.length === 10 ? `${v}T00:00:00+08:00` : v).getTime());
}

/** A campaign's id: lower-case letters, digits and dashes (3–61). */
export const CAMPAIGN_ID = /^[a-z0-9][a-z0-9-]{2,60}$/;

/** content/campaigns/<campaign-id>.yaml */
export const campaignSchema = z
  .strictObject({
    id: z.string().regex(CAMPAIGN_ID, 'must be lower-case letters, digits and dashes'),
    name: z.string().min(2),
    audience: z.strictObject({
      segments: z.array(z.enum(SEGMENTS, { message: `must be one of ${SEGMENTS.join(', ')}` })).default([]),
      /** District names, or [all]. */
      districts: z.array(z.string().min(1)).default(['all']),
      tags: z.array(z.string().min(1)).default([]),
      include: z.array(z.string().min(1)).default([]),
      exclude: z.array(z.string().min(1)).default([]),
    }),
    /** Post ids, or a query over the library. */
    posts: z.union([
      z.array(z.string().min(1)).min(1),
      z.strictObject({
        scamTypes: z.array(z.string().min(1)).default([]),
        audiences: z.array(z.enum(SEGMENTS)).default([]),
        tags: z.array(z.string().min(1)).default([]),
      }),
      /** A text written for this campaign (an urgent alert about a new scam wave): reviewed with it, sent as it is. */
      z.strictObject({
        text: z.string().trim().min(10, 'must be at least 10 characters').max(MAX_BODY_CHARS, `must be at most ${MAX_BODY_CHARS} characters`),
        scamTypes: z.array(z.string().min(1)).default([]),
      }),
    ], { error: 'must be a list of post ids, e.g. [fake-cs-shoppers-01], a query { scamTypes: [...], audiences: [...], tags: [...] }, or a text of its own { text: "…" }' }),
    schedule: z.union([
      z.strictObject({ cron: z.string().min(1), timezone: z.literal('Asia/Shanghai', { message: 'must be Asia/Shanghai' }).default('Asia/Shanghai') }),
      z.strictObject({ at: day }),
    ], { error: 'must be { cron: "0 30 19 * * *", timezone: Asia/Shanghai } (6 fields) or { at: 2026-11-11T19:30:00+08:00 }' }),
    window: z.strictObject({ from: day, until: day.optional() }).optional(),
    quietHours: z.strictObject({ elderly: quietHoursSchema.optional(), default: quietHoursSchema.optional() }).optional(),
    caps: z
      .strictObject({
        perGroupPerDay: z.number().int().min(1).max(5).default(1),
        repeatPostAfterDays: z.number().int().min(0).max(365).default(30),
      })
      .default({ perGroupPerDay: 1, repeatPostAfterDays: 30 }),
    priority: z.enum(['normal', 'urgent']).default('normal'),
  })
  .superRefine((c, ctx) => {
    if (c.window?.until && c.window.until < c.window.from) ctx.addIssue({ code: 'custom', path: ['window', 'until'], message: 'must not be before window.from' });
  });

export type CampaignDefinition = z.output<typeof campaignSchema>;
export type CampaignPriority = CampaignDefinition['priority'];
