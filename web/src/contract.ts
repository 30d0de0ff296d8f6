/**
 * Shapes the console builds that the API takes as an open record: the
 * campaign definition of the editor's form (schemas.ts `Definition` is
 * `record<string, unknown>`; the server checks it with the campaign file's
 * schema and answers problems by field).
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
