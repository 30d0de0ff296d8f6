import { z } from 'zod';
import { SEGMENTS } from '../shared/groups.js';

/** Longest rendered post: WeChat shows long texts folded ("全文"), and warnings over ~800 characters stop being read. */
export const MAX_BODY_CHARS = 800;

/** A date (Asia/Shanghai) or a full time; a bare date is the start of that day, or its end (`endOfDay`, for `validUntil: 2026-11-30`: valid all that day). */
const isoDate = (endOfDay: boolean) =>
  z
    .union([z.date(), z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'must be a date, e.g. 2026-11-01')])
    .transform((v) => (v instanceof Date ? v : new Date(v.length === 10 ? `${v}T${endOfDay ? '23:59:59.999' : '00:00:00'}+08:00` : v)))
    .refine((d) => !Number.isNaN(d.getTime()), 'must be a date, e.g. 2026-11-01, or a time, e.g. 2026-11-01T18:00:00+08:00');

/** A link residents may follow: a full https:// address (a `javascript:` or `data:` one is named as a scheme not allowed). */
const httpsLink = z.string().superRefine((v, ctx) => {
  if (!URL.canParse(v)) ctx.addIssue({ code: 'custom', message: 'must be a full https:// address', input: v });
  else if (new URL(v).protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `scheme ${new URL(v).protocol} is not allowed: links must be https:// addresses`, input: v });
});

/** Front matter of content/posts/<scam-type>/<post-id>.md. */
export const postFrontMatterSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,60}$/, 'must be lower-case letters, digits and dashes, e.g. fake-cs-refund-01'),
  title: z.string().min(2),
  audiences: z.array(z.enum(SEGMENTS, { message: `must be one of ${SEGMENTS.join(', ')}` })).min(1),
  scamTypes: z.array(z.string().min(1)).min(1),
  tags: z.array(z.string().min(1)).default([]),
  link: httpsLink.optional(),
  image: z.string().min(1).optional(),
  validFrom: isoDate(false).optional(),
  validUntil: isoDate(true).optional(),
});
export type PostFrontMatter = z.output<typeof postFrontMatterSchema>;

/** A post of the reviewed library. */
export interface Post extends PostFrontMatter {
  /** 2–3 wordings of the same warning, used in rotation. */
  variants: string[];
  /** sha256 of the file: what was reviewed. */
  contentHash: string;
  file: string;
}
