/**
 * Shapes of routes that docs/console-api.md lists but src/api/schemas.ts does
 * not define yet (the lead adds them). Each is replaced by its schema's
 * `Wire<typeof S.X>` in types.ts as soon as it lands; pages read them
 * defensively (optional fields) so a differing server shape degrades, never
 * breaks, a page.
 */
import type { Segment } from './types';

/** A campaign definition as the editor builds it (the fields of a campaign file; the API takes it as a record: `Definition` of schemas.ts). */
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

export type UrgentEstimateBody = { districts: string[]; segments: Segment[]; postId?: string; text?: string; scamTypes?: string[]; name?: string };
export type UrgentEstimateView = {
  /** The alert as a campaign: submit it with POST /api/campaigns { definition }. */
  definition: Record<string, unknown>;
  groups: number;
  members: number;
  /** Targeted groups no bot online now can post to. */
  unserved: number;
  bots: { botId: string; posts: number; ahead: number; lastAt?: string }[];
  /** From approval to the last group. */
  estimatedMs: number;
  /** Normal posts queued for these bots that now go after the alert. */
  delayedNormal: number;
};

export type WeeklyReportView = { id: string; district: string; from?: string; to?: string; week?: string; createdAt?: string; file?: string };
