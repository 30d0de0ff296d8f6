import { z } from 'zod';
import { ROLES } from '../shared/permissions.js';
import { GROUP_STATUSES, SEGMENTS } from '../shared/groups.js';

/**
 * The HTTP API's request and response shapes, one zod schema each: fastify
 * validates and serializes with them, the OpenAPI document is made from
 * them, and the console takes its types from them (`z.output`).
 */

/** An instant: an ISO 8601 string on the wire, a Date in code. */
export const instant = z.codec(z.iso.datetime({ offset: true }), z.date(), {
  decode: (s) => new Date(s),
  encode: (d) => d.toISOString(),
});

/** Every error: a stable code (README: error codes) and what to do. */
export const ErrorBody = z.object({ code: z.string().describe('ZHIMI_E_…'), message: z.string() }).meta({ id: 'Error' });

/** A reason people give: one line, no control characters. */
export const Reason = z.string().max(500).regex(/^[^\p{Cc}]*$/u, 'must be one line without control characters').optional();

export const Scope = z.string().describe('city, a district (鼓楼区) or district/station (鼓楼区/温泉派出所)');

export const ActorView = z
  .object({ id: z.string(), name: z.string(), roles: z.array(z.enum(ROLES)), scope: z.string(), district: z.string().nullable(), grants: z.array(z.string()) })
  .meta({ id: 'Actor' });

export const SignInBody = z.object({ user: z.string().min(1).max(64), password: z.string().min(1).max(256), totp: z.string().regex(/^\d{6}$/).optional() });
export const SessionView = z.object({ actor: ActorView, csrf: z.string().describe('send it back as the x-csrf-token header with every change'), expiresAt: instant }).meta({ id: 'Session' });

export const TokenBody = z.object({
  name: z.string().min(1).max(80),
  roles: z.array(z.enum(ROLES)).optional().describe('at most the user\'s roles (default: all of them)'),
  days: z.number().int().min(1).max(365).optional(),
  /** To make a token without a session (`zhimi login`): the user's password, and TOTP code when they have one. */
  user: z.string().optional(),
  password: z.string().optional(),
  totp: z.string().regex(/^\d{6}$/).optional(),
});
export const NewTokenView = z.object({ token: z.string().describe('shown once: store it now'), tokenId: z.string(), name: z.string(), roles: z.array(z.string()), expiresAt: instant });
export const TokenView = z.object({ tokenId: z.string(), userId: z.string(), name: z.string(), roles: z.array(z.string()), createdAt: instant, expiresAt: instant, revokedAt: instant.optional() });

export const CampaignSummary = z
  .object({
    id: z.string(), name: z.string(), status: z.string(), version: z.number(), submittedBy: z.string(), approvedVersion: z.number().nullable(), approvedBy: z.string(),
    districts: z.array(z.string()), priority: z.string(), updatedAt: instant.optional().describe('its last change: a submission, a review, a pause'),
  })
  .meta({ id: 'CampaignSummary' });

export const AuditEntryView = z
  .object({
    seq: z.number(), at: instant, actor: z.object({ id: z.string(), name: z.string(), via: z.string() }), action: z.string(), target: z.object({ kind: z.string(), id: z.string() }),
    version: z.number().optional(), reason: z.string().optional(), details: z.record(z.string(), z.unknown()).optional(), prev: z.string(), hash: z.string(), keyId: z.string(), sig: z.string(),
  })
  .meta({ id: 'AuditEntry' });

const counts = { planned: z.number(), sending: z.number(), sent: z.number(), failed: z.number(), skipped: z.number(), unknown: z.number() };

export const CampaignStatusView = CampaignSummary.extend({
  audit: z.array(AuditEntryView),
  history: z.array(z.object({ at: instant, action: z.string(), from: z.string(), to: z.string(), reason: z.string().optional(), version: z.number().optional() })),
  versions: z.array(z.object({ version: z.number(), submittedBy: z.string(), submittedAt: instant, approval: z.object({ by: z.string(), at: instant }).optional(), rejection: z.object({ by: z.string(), at: instant, reason: z.string() }).optional() })),
  needsReview: z.array(z.string()),
  runs: z.array(z.object({ scheduledAt: instant, day: z.string(), plan: z.enum(['complete', 'in progress']), ...counts })),
  notSent: z.array(z.object({ scheduledAt: instant, status: z.string(), reason: z.string(), deliveries: z.number() })),
}).meta({ id: 'CampaignStatus' });

export const VersionReviewView = z
  .object({
    id: z.string(), version: z.number(), status: z.string(), submittedBy: z.string(), submittedAt: instant, reason: z.string().optional(),
    definition: z.record(z.string(), z.unknown()), yaml: z.string(), changes: z.array(z.string()),
    posts: z.array(z.object({
      id: z.string(), title: z.string(), changed: z.boolean().describe('new, or changed since the approved version'), variants: z.array(z.string()).describe('its texts as this version froze them'),
      previous: z.array(z.string()).optional().describe('a changed post\'s texts as the approved version froze them'),
    })),
    mayReview: z.boolean(),
  })
  .meta({ id: 'VersionReview' });

/** A campaign definition as the console's form holds it: the shape of a campaign file (dates as strings). */
export const Definition = z.record(z.string(), z.unknown()).describe('a campaign definition: the fields of a campaign file (README: campaigns)');
export const SubmitBody = z
  .object({ yaml: z.string().min(1).max(200_000).optional().describe('the campaign file'), definition: Definition.optional().describe('or its definition, from the console\'s form'), source: z.string().max(300).optional(), reason: Reason })
  .refine((b) => !!b.yaml !== !!b.definition, 'give the campaign as yaml or as definition (one of them)');
const FieldProblem = z.object({ field: z.string().describe('dotted path, e.g. schedule.cron; empty for the whole campaign'), message: z.string() });
export const CheckBody = z.object({ definition: Definition });
export const CheckView = z
  .object({
    ok: z.boolean(), errors: z.array(FieldProblem), warnings: z.array(z.string()),
    audience: z.object({ groups: z.number(), members: z.number(), byDistrict: z.array(z.object({ district: z.string(), groups: z.number(), members: z.number() })) }),
    dueTimes: z.array(instant).describe('the next five due times'), quietHours: z.array(z.object({ applies: z.enum(['elderly', 'default']), from: z.string(), to: z.string() })),
    posts: z.array(z.object({ id: z.string(), title: z.string() })),
  })
  .meta({ id: 'CampaignCheck' });
export const ParseBody = z.object({ yaml: z.string().min(1).max(200_000) });
export const ParseView = z.object({ definition: Definition.optional(), errors: z.array(FieldProblem) });
export const DraftBody = z.object({ definition: Definition });
export const DraftView = z.object({ id: z.string(), definition: Definition, savedBy: z.string(), savedAt: instant }).meta({ id: 'Draft' });
export const PostQuery = z.object({ scamType: z.string().optional(), audience: z.enum(SEGMENTS).optional(), tag: z.string().optional(), validNow: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('true: only posts valid now') });
export const PostView = z
  .object({
    id: z.string(), title: z.string(), audiences: z.array(z.enum(SEGMENTS)), scamTypes: z.array(z.string()), tags: z.array(z.string()), link: z.string().optional(),
    validFrom: instant.optional(), validUntil: instant.optional(), validNow: z.boolean(),
    previews: z.array(z.object({ segment: z.enum(SEGMENTS), variant: z.number(), text: z.string() })),
    usedBy: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })),
    last30: z.object({ sent: z.number(), reach: z.number(), engagements: z.number(), per1000: z.number(), click: z.number() }),
  })
  .meta({ id: 'Post' });
export const SubmitResultView = z.object({ id: z.string(), status: z.string(), version: z.number(), submittedBy: z.string(), errors: z.array(z.string()), warnings: z.array(z.string()) });
export const ReviewBody = z.object({ version: z.number().int().min(1).describe('the version the reviewer saw'), reason: Reason });
export const ActionBody = z.object({ reason: Reason }).default({});
export const ChangeResultView = z.object({ id: z.string(), status: z.string(), version: z.number(), effect: z.string().optional() });

export const PreviewView = z.object({
  id: z.string(), name: z.string(), dueTimes: z.array(instant),
  first: z.object({
    at: instant,
    byArea: z.array(z.object({ district: z.string(), segments: z.string(), groups: z.number() })),
    targets: z.array(z.object({ group: z.string(), post: z.string(), variant: z.number(), notBefore: instant })),
    skipped: z.array(z.object({ group: z.string(), reason: z.string() })),
  }).optional(),
});

export const GroupView = z
  .object({
    id: z.string(), roomId: z.string(), topic: z.string(), district: z.string().optional(), station: z.string().optional(), segments: z.array(z.enum(SEGMENTS)), tags: z.array(z.string()),
    memberCount: z.number(), botIds: z.array(z.string()), status: z.string(), lastPostAt: instant.optional(),
    suggestion: z.object({ district: z.string(), segments: z.array(z.enum(SEGMENTS)) }).optional(),
  })
  .meta({ id: 'Group' });
export const TagBody = z.object({
  district: z.string().optional(), station: z.string().optional(), segments: z.array(z.string()).optional(), tags: z.array(z.string()).optional(),
  asSuggested: z.boolean().optional().describe('take district and segments from the group name'),
});

export const GroupPageQuery = z.object({
  q: z.string().max(100).optional().describe('part of the name, or a room id or id'), district: z.string().optional(), station: z.string().optional(),
  segment: z.enum(SEGMENTS).optional(), status: z.enum(GROUP_STATUSES).optional(), tag: z.string().optional(),
  page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const GroupPage = z
  .object({
    total: z.number(), page: z.number(), pageSize: z.number(), rows: z.array(GroupView),
    byStatus: z.record(z.enum(GROUP_STATUSES), z.number()).describe('groups you may see, by status, whatever the filter'), members: z.number().describe('members of the groups the filter keeps'),
  })
  .meta({ id: 'GroupPage' });
const measures = { sent: z.number(), reach: z.number(), reply: z.number(), mention: z.number(), keyword: z.number(), question: z.number(), click: z.number() };
export const GroupDetailView = z
  .object({
    group: GroupView,
    posts: z.array(z.object({ at: instant, campaignId: z.string(), postId: z.string(), status: z.string(), reason: z.string().optional(), reach: z.number().optional() })),
    last30: z.object(measures),
  })
  .meta({ id: 'GroupDetail' });
export const AcceptSuggestionsBody = z.object({ ids: z.array(z.string()).max(5000).optional().describe('the pending groups to tag as suggested (default: every one you may tag)'), tags: z.array(z.string()).optional() });
export const AcceptSuggestionsView = z.object({ tagged: z.array(GroupView), left: z.array(z.string()).describe('names of pending groups without a suggestion') });

const HourMinute = z.object({ from: z.string(), to: z.string() });
export const ReferenceView = z
  .object({
    city: z.string(), hotline: z.string(), timezone: z.literal('Asia/Shanghai'), districts: z.array(z.object({ name: z.string(), stations: z.array(z.string()) })),
    segments: z.array(z.enum(SEGMENTS)), scamTypes: z.array(z.object({ id: z.string(), name: z.string() })), postTags: z.array(z.string()),
    quietHours: z.object({ elderly: HourMinute, default: HourMinute }),
  })
  .meta({ id: 'Reference' });

export const FleetView = z.object({
  bots: z.array(z.object({
    bot: z.string(), state: z.string(), worker: z.string(), groups: z.number(), queued: z.number(), sentLastHour: z.number(), sentToday: z.number(), perDay: z.number().describe('its posts a day'),
    backoff: z.string(), note: z.string(), waitingScan: z.boolean().describe('its account waits for a QR code to be scanned: GET /api/fleet/:bot/qr.svg'),
  })),
  workers: z.array(z.object({ workerId: z.string(), bots: z.number(), state: z.enum(['running', 'late']), lastSeenSec: z.number() })),
});

export const ReportQuery = z.object({
  from: z.iso.date().optional(), to: z.iso.date().optional(), campaign: z.string().optional(), segment: z.enum(SEGMENTS).optional(), district: z.string().optional(),
  by: z.string().optional().describe('comma-separated: day, segment, district, campaign, post'), top: z.coerce.number().int().min(1).max(200).optional(),
});
export const Row = z.record(z.string(), z.union([z.string(), z.number(), z.null(), z.undefined()]));
export const ReportView = z.object({ rows: z.array(Row), unique: z.object({ members: z.number(), groups: z.number(), exact: z.boolean() }).optional() });
export const TipsQuery = z.object({ from: z.iso.date().optional(), to: z.iso.date().optional(), by: z.string().optional(), type: z.string().optional(), district: z.string().optional(), latest: z.coerce.number().int().min(0).max(200).optional() });
export const TipsView = z.object({ rows: z.array(Row), latest: z.array(z.object({ at: instant, district: z.string(), type: z.string(), risk: z.string(), text: z.string() })) });

export const ScamCheckBody = z.object({ text: z.string().min(1).max(5000), segment: z.enum(SEGMENTS).optional() });
export const ScamCheckView = z.object({ answer: z.string(), risk: z.string(), score: z.number(), type: z.string(), typeName: z.string(), signals: z.array(z.string()) });

export const UserView = z
  .object({ id: z.string(), name: z.string(), roles: z.array(z.string()), scope: z.string(), totp: z.boolean(), wechatIds: z.number(), disabled: z.boolean(), lastSignInAt: instant.optional() })
  .meta({ id: 'User' });
export const NewUserBody = z.object({
  id: z.string(), name: z.string().min(1).max(80), roles: z.array(z.enum(ROLES)).min(1), scope: Scope.optional(), password: z.string().optional(),
  wechatIds: z.array(z.string().min(1)).optional().describe('the officer\'s WeChat ids (stored as keyed hashes only)'),
});
export const UserChangeBody = z.object({ name: z.string().min(1).max(80).optional(), roles: z.array(z.enum(ROLES)).min(1).optional(), scope: Scope.optional(), wechatIds: z.array(z.string().min(1)).optional(), disabled: z.boolean().optional() });
export const PasswordBody = z.object({ password: z.string().optional().describe('leave out to have one made (shown once)') });

export const AuditVerifyView = z.object({ ok: z.boolean(), entries: z.number(), seq: z.number().optional(), problem: z.string().optional() });

const RunProgressView = z.object({
  runId: z.string(), campaignId: z.string(), name: z.string(), priority: z.string(), districts: z.array(z.string()), scheduledAt: instant, total: z.number(),
  counts: z.object(counts), progress: z.number().describe('0…1'), planned: z.boolean(), estimatedEnd: instant.optional(), closedAt: instant.optional(),
});
export const DashboardView = z
  .object({
    tiles: z
      .object({
        groups: z.number(), members: z.number(), postsToday: z.number(), postsWeek: z.number(), reach30: z.number(), uniqueReach30: z.number(), uniqueExact: z.boolean(),
        engagementPer1000: z.number(), checksToday: z.number(),
      })
      .optional(),
    trend: z.array(z.object({ day: z.string(), posts: z.number(), reach: z.number(), engagements: z.number(), checks: z.number() })),
    fleet: z.object({ bots: z.number(), online: z.number(), waitingScan: z.number(), throttled: z.number(), offline: z.number() }).optional(),
    runs: z.array(RunProgressView),
    asOf: instant.describe('when the tiles, trend and fleet figures were read (they are read again after 10 s; live progress is at most 2 s old)'),
    attention: z.array(z.object({ kind: z.enum(['qr', 'bot-throttled', 'bot-offline', 'review', 'tips-spike', 'worker-late']), text: z.string(), link: z.string() })),
  })
  .meta({ id: 'Dashboard' });
export const TipSpikeView = z
  .object({ type: z.string(), typeName: z.string(), district: z.string(), today: z.number(), baseline: z.number(), ratio: z.number(), segments: z.array(z.enum(SEGMENTS)) })
  .meta({ id: 'TipSpike' });

export const UrgentEstimateBody = z.object({
  districts: z.array(z.string()).describe('district names; empty: every district'), segments: z.array(z.enum(SEGMENTS)).describe('empty: every segment'),
  postId: z.string().optional().describe('a reviewed post of the library'), text: z.string().max(2000).optional().describe('or a text written for this alert'),
  scamTypes: z.array(z.string()).optional(), name: z.string().max(80).optional(),
});
export const UrgentEstimateView = z
  .object({
    definition: Definition.describe('the alert as a campaign: submit it with POST /api/campaigns { definition }'),
    groups: z.number(), members: z.number(), unserved: z.number().describe('targeted groups no bot online now can post to'),
    bots: z.array(z.object({ botId: z.string(), posts: z.number(), ahead: z.number().describe('urgent posts queued before these'), lastAt: instant.optional() })),
    estimatedMs: z.number().describe('from approval to the last group'), delayedNormal: z.number().describe('normal posts queued for these bots that now go after the alert'),
  })
  .meta({ id: 'UrgentEstimate' });

export const WeeklyReportView = z
  .object({
    id: z.string(), week: z.string().describe('its Monday'), district: z.string().describe('a district, or 全市'), from: z.string(), to: z.string(), createdAt: instant,
    summary: z.object({ deliveries: z.number(), reach: z.number(), uniqueReach: z.number(), engagements: z.number(), per1000: z.number(), checks: z.number() }),
  })
  .meta({ id: 'WeeklyReport' });
