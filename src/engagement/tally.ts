import { createHash, randomBytes } from 'node:crypto';
import { AREA_CUTS, AREA_LEVEL, ROLLED_UP, type AreaCut, type CounterLevel, type CounterMeasure } from '../shared/counters.js';
import { ReachSketch, type SketchDoc } from './reach-sketch.js';
import { memberKeyHex } from '../audience/member-key.js';

/** Where a post or an engagement counts. */
export interface TallyTarget {
  day: string;
  campaignId: string;
  postId: string;
  groupId: string;
  segment: string;
  district: string;
}

export interface CounterIncrement {
  level: CounterLevel;
  id: string;
  dims: Record<string, string>;
  inc: Partial<Record<CounterMeasure, number>>;
}

export interface SketchState {
  id: string;
  cut: AreaCut;
  kind: 'members' | 'groups';
  dims: { day: string; campaignId: string; segment: string; district: string; writer: string };
  doc: SketchDoc;
}

/**
 * What one writer (a worker process, the link server) has counted since its
 * last flush: counter increments at the three levels, and its sketches of
 * distinct members and groups reached (kept whole, per day, so a flush writes
 * each sketch as one document it alone owns). Pure: the recorder flushes it.
 */
export class Tally {
  private counters = new Map<string, CounterIncrement>();
  private readonly sketches = new Map<string, { state: Omit<SketchState, 'doc'>; sketch: ReachSketch; dirty: boolean }>();
  /** How often a key's sketch was started afresh (after being forgotten): each start writes its own document. */
  private readonly generations = new Map<string, number>();
  /**
   * A sketch document is replaced whole by the tally that owns it, so a new
   * tally (a restarted worker with the same name) must not overwrite the old
   * one's: every tally writes under its own session. Unions of sketches are
   * idempotent, so reports may read any number of documents per key.
   */
  private readonly session = randomBytes(4).toString('hex');

  constructor(readonly writer: string) {}

  /** Add `n` to a measure at every level. */
  count(t: TallyTarget, measure: CounterMeasure, n = 1): void {
    for (const [level, dims] of this.levels(t)) {
      const id = [level, ...Object.values(dims), this.writer].join('|');
      const c = this.counters.get(id) ?? { level, id, dims: { ...dims, writer: this.writer }, inc: {} };
      c.inc[measure] = (c.inc[measure] ?? 0) + n;
      this.counters.set(id, c);
    }
  }

  /** A post reached these members (keyed hashes, bots excluded). */
  sent(t: TallyTarget, memberKeys: readonly string[]): void {
    this.count(t, 'sent');
    this.count(t, 'reach', memberKeys.length);
    const memberBits = memberKeys.map(memberKeyHex);
    const groupBits = createHash('sha1').update(t.groupId).digest('hex');
    for (const cut of Object.keys(AREA_CUTS) as AreaCut[]) {
      const members = this.sketch(t, cut, 'members');
      for (const k of memberBits) members.sketch.add(k);
      members.dirty = true;
      const groups = this.sketch(t, cut, 'groups');
      groups.sketch.add(groupBits);
      groups.dirty = true;
    }
  }

  get pending(): number {
    return this.counters.size;
  }

  /** Counter increments since the last call. */
  takeCounters(): CounterIncrement[] {
    const out = [...this.counters.values()];
    this.counters = new Map();
    return out;
  }

  /** Sketches changed since the last call, whole. */
  takeSketches(): SketchState[] {
    const out: SketchState[] = [];
    for (const s of this.sketches.values()) {
      if (!s.dirty) continue;
      s.dirty = false;
      out.push({ ...s.state, doc: s.sketch.toDoc() });
    }
    return out;
  }

  /** Drop the sketches of days before `day` (they were flushed; nothing adds to them any more). */
  forgetBefore(day: string): void {
    for (const [id, s] of this.sketches) if (s.state.dims.day < day && !s.dirty) this.sketches.delete(id);
  }

  private sketch(t: TallyTarget, cut: AreaCut, kind: 'members' | 'groups') {
    const area = cutOf(t, cut);
    const dims = { day: t.day, campaignId: t.campaignId, segment: area.segment, district: area.district, writer: this.writer };
    const key = [kind, cut, dims.day, dims.campaignId, dims.segment, dims.district, this.writer].join('|');
    let s = this.sketches.get(key);
    if (!s) {
      const gen = this.generations.get(key) ?? 0;
      this.generations.set(key, gen + 1);
      const id = `${key}|${this.session}.${gen}`;
      this.sketches.set(key, (s = { state: { id, cut, kind, dims }, sketch: new ReachSketch(), dirty: false }));
    }
    return s;
  }

  private levels(t: TallyTarget): [CounterLevel, Record<string, string>][] {
    return [
      ...(Object.keys(AREA_CUTS) as AreaCut[]).map((cut): [CounterLevel, Record<string, string>] => [AREA_LEVEL[cut], { day: t.day, campaignId: t.campaignId, ...cutOf(t, cut) }]),
      ['post', { day: t.day, campaignId: t.campaignId, postId: t.postId }],
      ['group', { day: t.day, campaignId: t.campaignId, groupId: t.groupId }],
    ];
  }
}

/** Segment and district of a target as an area cut keeps them (`*` where rolled up). */
function cutOf(t: Pick<TallyTarget, 'segment' | 'district'>, cut: AreaCut): { segment: string; district: string } {
  const keep: readonly string[] = AREA_CUTS[cut];
  return { segment: keep.includes('segment') ? t.segment : ROLLED_UP, district: keep.includes('district') ? t.district : ROLLED_UP };
}
