import { loadScamTypes } from '../content/library.js';
import { SEGMENTS, type Segment } from '../shared/groups.js';
import type { AppContext } from './context.js';

/** What the console's forms offer: districts and their police stations, segments, scam types, post tags, quiet hours. */
export interface ReferenceView {
  city: string;
  hotline: string;
  timezone: 'Asia/Shanghai';
  districts: { name: string; stations: string[] }[];
  segments: Segment[];
  scamTypes: { id: string; name: string }[];
  /** Tags the library's posts carry (seasons, events). */
  postTags: string[];
  /** Quiet hours of the fleet: no campaign post goes out in them (elderly groups have their own). */
  quietHours: { elderly: { from: string; to: string }; default: { from: string; to: string } };
}

export function referenceData(ctx: AppContext): ReferenceView {
  const ref = ctx.content().ref;
  return {
    city: ref.city,
    hotline: ref.hotline,
    timezone: 'Asia/Shanghai',
    districts: ref.districts.map((d) => ({ name: d.name, stations: [...d.stations] })),
    segments: [...SEGMENTS],
    scamTypes: loadScamTypes(ctx.contentDir).types.map((t) => ({ id: t.id, name: t.name })),
    postTags: [...new Set(ctx.library().flatMap((p) => p.tags))].sort(),
    quietHours: ctx.fleet().quietHours,
  };
}
