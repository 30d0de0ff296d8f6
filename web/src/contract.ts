/**
 * Shapes of routes that docs/console-api.md lists but src/api/schemas.ts does
 * not define yet (the lead adds them). Each is replaced by its schema's
 * `Wire<typeof S.X>` in types.ts as soon as it lands; pages read them
 * defensively (optional fields) so a differing server shape degrades, never
 * breaks, a page.
 */
import type { Group, Segment } from './types';

export type ReferenceView = {
  city: string;
  hotline: string;
  timezone: string;
  districts: { name: string; stations: string[] }[];
  segments: Segment[];
  scamTypes: { id: string; name: string }[];
  postTags: string[];
  quietHours: { elderly: { from: string; to: string }; default: { from: string; to: string } };
};

/** A campaign definition as the editor builds it (the campaign file's fields; the API takes it as a record). */
export type Definition = {
  id: string;
  name: string;
  audience: { segments?: Segment[]; districts?: string[]; tags?: string[]; include?: string[]; exclude?: string[] };
  posts: string[] | { scamTypes?: string[]; audiences?: Segment[]; tags?: string[] };
  schedule: { cron: string; timezone?: 'Asia/Shanghai' } | { at: string };
  window?: { from: string; until?: string };
  quietHours?: { elderly?: { from: string; to: string }; default?: { from: string; to: string } };
  caps?: { perGroupPerDay?: number; repeatPostAfterDays?: number };
  priority?: 'normal' | 'urgent';
};

export type FieldProblem = { field: string; message: string };
export type CheckBody = { definition: Record<string, unknown> };
export type CheckView = {
  ok: boolean;
  errors: FieldProblem[];
  warnings: string[];
  audience: { groups: number; members: number; byDistrict: { district: string; groups: number; members: number }[] };
  dueTimes: string[];
  quietHours: { applies: 'elderly' | 'default'; from: string; to: string }[];
  posts: { id: string; title: string }[];
};
export type DraftBody = { definition: Record<string, unknown> };
export type DraftView = { id: string; definition: Record<string, unknown>; savedBy: string; savedAt: string };
export type ParseView = { definition?: Record<string, unknown>; errors: FieldProblem[] };

export type UrgentEstimateBody = { districts: string[]; segments: Segment[]; postId?: string; text?: string };
export type UrgentEstimateView = {
  groups: number;
  members?: number;
  bots?: number;
  botsOnline?: number;
  minutes?: number;
  lastAt?: string;
  delayedPosts?: number;
  note?: string;
};

export type PostQuery = { scamType?: string; audience?: Segment; tag?: string; validNow?: boolean };
export type PostView = {
  id: string;
  title: string;
  audiences: Segment[];
  scamTypes: string[];
  tags: string[];
  link?: string;
  validFrom?: string;
  validUntil?: string;
  validNow: boolean;
  previews: { segment: Segment; variant: number; text: string }[];
  usedBy: { id: string; name: string; status: string }[];
  last30: { sent: number; reach: number; engagements: number; per1000: number; click: number };
};

export type GroupPageQuery = { q?: string; district?: string; station?: string; segment?: Segment; status?: Group['status']; tag?: string; page?: number; pageSize?: number };
export type GroupPage = { total: number; page: number; pageSize: number; rows: Group[]; byStatus: Partial<Record<string, number>>; members: number };
export type GroupDetailView = {
  group: Group;
  posts: { at: string; campaignId: string; postId: string; status: string; reason?: string; reach?: number }[];
  last30: { sent: number; reach: number; reply: number; mention: number; keyword: number; question: number; click: number };
};
export type AcceptSuggestionsBody = { ids?: string[]; tags?: string[] };
export type AcceptSuggestionsView = { tagged: Group[]; left: string[] };

export type TipSpikeView = { type: string; typeName?: string; district: string; count: number; baseline?: number; day?: string; segments?: Segment[] };
export type WeeklyReportView = { id: string; district: string; from?: string; to?: string; week?: string; createdAt?: string; file?: string };

export type DashboardView = {
  tiles?: {
    groups?: number;
    members?: number;
    postsToday?: number;
    postsWeek?: number;
    reach?: number;
    uniqueReach?: number;
    per1000?: number;
    scamChecksToday?: number;
  };
  trend?: { day: string; deliveries?: number; reach?: number; engagement?: number; checks?: number }[];
  fleet?: { total?: number; online?: number; throttled?: number; offline?: number; waitingForScan?: number };
  runs?: RunProgress[];
  attention?: { kind: string; title: string; detail?: string; link?: string }[];
};
export type RunProgress = {
  campaign: string;
  name?: string;
  scheduledAt: string;
  planned: number;
  sent: number;
  failed?: number;
  skipped?: number;
  unknown?: number;
  estimatedEnd?: string;
};
