/**
 * The campaign editor's form and the campaign definition it stands for (the
 * fields of a campaign file), both ways, and the YAML a campaign file holds.
 */
import type { Definition } from './contract';
import type { Segment } from './types';

export type ScheduleKind = 'once' | 'daily' | 'weekly' | 'cron';
export interface CampaignForm {
  id: string;
  name: string;
  segments: Segment[];
  allDistricts: boolean;
  districts: string[];
  tags: string[];
  include: string[];
  exclude: string[];
  postMode: 'pick' | 'query';
  postIds: string[];
  query: { scamTypes: string[]; audiences: Segment[]; tags: string[] };
  schedule: { kind: ScheduleKind; at: string; time: string; weekdays: number[]; cron: string };
  window: { from: string; until: string };
  quiet: { override: boolean; elderly: { from: string; to: string }; default: { from: string; to: string } };
  caps: { perGroupPerDay: number; repeatPostAfterDays: number };
  priority: 'normal' | 'urgent';
}

export function emptyForm(): CampaignForm {
  return {
    id: '', name: '', segments: [], allDistricts: true, districts: [], tags: [], include: [], exclude: [],
    postMode: 'pick', postIds: [], query: { scamTypes: [], audiences: [], tags: [] },
    schedule: { kind: 'weekly', at: '', time: '10:00', weekdays: [2], cron: '0 0 10 * * 2' },
    window: { from: '', until: '' },
    quiet: { override: false, elderly: { from: '21:30', to: '07:30' }, default: { from: '23:00', to: '07:00' } },
    caps: { perGroupPerDay: 1, repeatPostAfterDays: 30 },
    priority: 'normal',
  };
}

/** The cron of a daily or weekly preset (6 fields: seconds first). */
export function presetCron(s: CampaignForm['schedule']): string {
  const [h, m] = (s.time || '10:00').split(':').map((x) => Number(x) || 0) as [number, number];
  if (s.kind === 'daily') return `0 ${m} ${h} * * *`;
  const days = [...new Set(s.weekdays)].sort((a, b) => a - b);
  return `0 ${m} ${h} * * ${days.length ? days.join(',') : '*'}`;
}

const WEEKDAY_LABEL = ['日', '一', '二', '三', '四', '五', '六'];

/** A daily or weekly cron (6 fields) as people say it: 每天 10:00, 每周二、四 09:30; undefined for any other. */
export function describeCron(cron: string): string | undefined {
  const m = /^0 (\d{1,2}) (\d{1,2}) \* \* (\*|[0-6](?:,[0-6])*)$/.exec(cron.trim());
  if (!m) return undefined;
  const at = `${m[2]!.padStart(2, '0')}:${m[1]!.padStart(2, '0')}`;
  if (m[3] === '*') return `每天 ${at}`;
  const days = [...new Set(m[3]!.split(',').map(Number))].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
  return `每周${days.map((d) => WEEKDAY_LABEL[d]).join('、')} ${at}`;
}

export function toDefinition(f: CampaignForm): Definition {
  const audience: Definition['audience'] = { segments: f.segments, districts: f.allDistricts ? ['all'] : f.districts };
  if (f.tags.length) audience.tags = f.tags;
  if (f.include.length) audience.include = f.include;
  if (f.exclude.length) audience.exclude = f.exclude;
  const q: { scamTypes?: string[]; audiences?: Segment[]; tags?: string[] } = {};
  if (f.query.scamTypes.length) q.scamTypes = f.query.scamTypes;
  if (f.query.audiences.length) q.audiences = f.query.audiences;
  if (f.query.tags.length) q.tags = f.query.tags;
  const d: Definition = {
    id: f.id.trim(),
    name: f.name.trim(),
    audience,
    posts: f.postMode === 'pick' ? f.postIds : q,
    schedule: f.schedule.kind === 'once' ? { at: f.schedule.at ? `${f.schedule.at.slice(0, 16)}:00+08:00` : '' } : { cron: f.schedule.kind === 'cron' ? f.schedule.cron.trim() : presetCron(f.schedule), timezone: 'Asia/Shanghai' },
    caps: { perGroupPerDay: f.caps.perGroupPerDay, repeatPostAfterDays: f.caps.repeatPostAfterDays },
    priority: f.priority,
  };
  if (f.window.from) d.window = { from: f.window.from, ...(f.window.until ? { until: f.window.until } : {}) };
  if (f.quiet.override) d.quietHours = { elderly: { ...f.quiet.elderly }, default: { ...f.quiet.default } };
  return d;
}

const arr = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
/** A date or time of a definition as Asia/Shanghai wall time (YYYY-MM-DD or YYYY-MM-DDTHH:mm). */
function shanghai(v: unknown, withTime: boolean): string {
  if (typeof v !== 'string' || !v) return '';
  if (v.length === 10) return withTime ? `${v}T00:00` : v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return withTime ? s.slice(0, 16) : s.slice(0, 10);
}

/** The form of a definition (an imported file, a draft, an earlier version). */
export function fromDefinition(raw: Record<string, unknown>): CampaignForm {
  const f = emptyForm();
  f.id = String(raw['id'] ?? '');
  f.name = String(raw['name'] ?? '');
  const a = obj(raw['audience']);
  f.segments = arr(a['segments']) as Segment[];
  const ds = arr(a['districts']);
  f.allDistricts = !ds.length || ds.includes('all');
  f.districts = f.allDistricts ? [] : ds;
  f.tags = arr(a['tags']);
  f.include = arr(a['include']);
  f.exclude = arr(a['exclude']);
  if (Array.isArray(raw['posts'])) {
    f.postMode = 'pick';
    f.postIds = arr(raw['posts']);
  } else {
    const q = obj(raw['posts']);
    f.postMode = 'query';
    f.query = { scamTypes: arr(q['scamTypes']), audiences: arr(q['audiences']) as Segment[], tags: arr(q['tags']) };
  }
  const s = obj(raw['schedule']);
  if (s['at'] !== undefined) {
    f.schedule.kind = 'once';
    f.schedule.at = shanghai(s['at'], true);
  } else {
    const cron = String(s['cron'] ?? '');
    f.schedule.cron = cron;
    const m = /^0 (\d{1,2}) (\d{1,2}) \* \* (\*|[0-6](?:,[0-6])*)$/.exec(cron.trim());
    if (m) {
      f.schedule.time = `${m[2]!.padStart(2, '0')}:${m[1]!.padStart(2, '0')}`;
      if (m[3] === '*') f.schedule.kind = 'daily';
      else {
        f.schedule.kind = 'weekly';
        f.schedule.weekdays = m[3]!.split(',').map(Number);
      }
    } else f.schedule.kind = 'cron';
  }
  const w = obj(raw['window']);
  f.window = { from: shanghai(w['from'], false), until: shanghai(w['until'], false) };
  const qh = obj(raw['quietHours']);
  if (Object.keys(qh).length) {
    f.quiet.override = true;
    const e = obj(qh['elderly']);
    const d = obj(qh['default']);
    if (e['from']) f.quiet.elderly = { from: String(e['from']), to: String(e['to'] ?? '') };
    if (d['from']) f.quiet.default = { from: String(d['from']), to: String(d['to'] ?? '') };
  }
  const c = obj(raw['caps']);
  if (typeof c['perGroupPerDay'] === 'number') f.caps.perGroupPerDay = c['perGroupPerDay'];
  if (typeof c['repeatPostAfterDays'] === 'number') f.caps.repeatPostAfterDays = c['repeatPostAfterDays'];
  f.priority = raw['priority'] === 'urgent' ? 'urgent' : 'normal';
  return f;
}

/** A value in YAML flow style (strings quoted only when YAML would misread them). */
function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${flow(x)}`).join(', ')} }`;
  if (typeof v === 'string') return /^[\p{L}\p{N}][\p{L}\p{N}._\-+/]*$/u.test(v) && !/^(true|false|null|yes|no|on|off|~|\d[\d_.:+-]*)$/i.test(v) ? v : JSON.stringify(v);
  return String(v);
}

/** The campaign file of a definition, as a drafter would write it. */
export function definitionYaml(d: Definition): string {
  const lines = ['# made in the Zhimi console (织密控制台)'];
  for (const [k, v] of Object.entries(d)) if (v !== undefined) lines.push(`${k}: ${flow(v)}`);
  return lines.join('\n') + '\n';
}
