import { createHash, randomBytes } from 'node:crypto';
import { AREA_CUTS, AREA_LEVEL, ROLLED_UP, type AreaCut, type CounterLevel, type CounterMeasure, type EngagementKind } from '../shared/counters.js';
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

/**
 * A counter document's increment in a flush, applied exactly once: only to a
 * document whose flush number `f` is below `flush`, which it then records with
 * how far the tally's units reach (`sUpTo`: sent units, `eUpTo`: engagement units).
 */
export interface GuardedIncrement extends CounterIncrement {
  flush: number;
  sUpTo: number;
  eUpTo: number;
}

export interface SketchState {
  id: string;
  cut: AreaCut;
  kind: 'members' | 'groups';
  dims: { day: string; campaignId: string; segment: string; district: string; writer: string };
  doc: SketchDoc;
}

/**
 * One durable source of counts: the sent outcomes of one write of the outbox
 * (`s`), or the engagement events of one write (`e`), numbered from 1 within
 * the tally session that counts them. Its id is `<session>:<kind><seq>`.
 */
export interface TallyUnit {
  kind: 's' | 'e';
  seq: number;
}

export const unitId = (session: string, u: TallyUnit): string => `${session}:${u.kind}${u.seq}`;

/** How often a tally session says it lives while it has nothing to write: well within its process's exit time. */
export function sessionKeepAliveMs(exitAfterMs: number): number {
  return Math.min(30_000, Math.max(250, Math.floor(exitAfterMs / 4)));
}

/**
 * Is a session's process certainly gone? Silent (no flush, no keep-alive) for
 * longer than its process survives without its database, two keep-alives and
 * `marginMs` more. Only then may another process complete its counters: a
 * live session's documents must have one writer. Pure.
 */
export function sessionIsDead(s: { seenAt: Date; exitAfterMs: number }, now: Date, marginMs = 5000): boolean {
  return now.getTime() - s.seenAt.getTime() > s.exitAfterMs + 2 * sessionKeepAliveMs(s.exitAfterMs) + marginMs;
}

/** A sent post as counted: where, how many members it reached, and their keyed hashes (none when unknown: a recovery). */
export interface CountedPost {
  target: TallyTarget;
  reach: number;
  memberKeys: readonly string[];
}

/** What a flush writes: counter increments (guarded), the per-unit group documents (inserted), changed sketches (replaced whole). */
export interface TallyFlush {
  flush: number;
  counters: GuardedIncrement[];
  /** Group-level counts of each unit: one document per group, day, campaign and unit, inserted (a repeat collides). */
  groupDocs: CounterIncrement[];
  sketches: SketchState[];
  /** How far the session's units reach after this flush (for its session document). */
  sUpTo: number;
  eUpTo: number;
}

/** Counter documents whose increments come from units; a document already holding a unit is skipped for it (a recovery). */
export type HeldUnits = (docId: string) => { sUpTo: number; eUpTo: number } | undefined;

/**
 * What one writer session (a worker process, the link server) has counted:
 * counter increments at the area and post levels, group-level counts per
 * unit, and its sketches of distinct members and groups reached (kept whole,
 * per day, so a flush writes each sketch as one document it alone owns).
 *
 * Counts come in units (see TallyUnit), each folded once, in order; a flush
 * carries its number and how far the units reach, so the store applies each
 * increment to a counter document exactly once, however often the flush is
 * retried, and a session whose process died can be completed from its units
 * (engagement/tally-recovery.ts). Pure: the recorder flushes it.
 */
export class Tally {
  private counters = new Map<string, CounterIncrement>();
  private groupDocs = new Map<string, CounterIncrement>();
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
  private flushNo = 0;
  private sUpTo = 0;
  private eUpTo = 0;
  /** The unit being folded (group-level documents are per unit), and which counter documents hold it already. */
  private unit: { id: string; held: HeldUnits | undefined; u: TallyUnit } | undefined;

  constructor(readonly writer: string) {}

  /** Flushes are numbered after this (a recovery continues a dead session's numbering). */
  startFlushesAfter(n: number): void {
    this.flushNo = Math.max(this.flushNo, n);
  }

  /** A unit of sent outcomes, folded once and in order: every post at every level, its members and group in the sketches. */
  foldSent(u: TallyUnit & { kind: 's' }, posts: readonly CountedPost[], held?: HeldUnits): void {
    this.inUnit(u, held, () => {
      for (const p of posts) this.sent(p.target, p.memberKeys, p.reach);
    });
    this.sUpTo = Math.max(this.sUpTo, u.seq);
  }

  /** A unit of engagement events, folded once and in order. */
  foldEngagements(u: TallyUnit & { kind: 'e' }, events: readonly { target: TallyTarget; kind: EngagementKind }[], held?: HeldUnits): void {
    this.inUnit(u, held, () => {
      for (const e of events) this.count(e.target, e.kind);
    });
    this.eUpTo = Math.max(this.eUpTo, u.seq);
  }

  /** Add `n` to a measure at every level. */
  count(t: TallyTarget, measure: CounterMeasure, n = 1): void {
    for (const [level, dims] of this.levels(t)) {
      const id = [level, ...Object.values(dims), this.writer].join('|');
      if (level === 'group' && this.unit) {
        const gid = `${id}|${this.unit.id}`;
        const g = this.groupDocs.get(gid) ?? this.groupDocs.set(gid, { level, id: gid, dims: { ...dims, writer: this.writer }, inc: {} }).get(gid)!;
        g.inc[measure] = (g.inc[measure] ?? 0) + n;
        continue;
      }
      const held = this.unit?.held?.(id);
      if (held && (this.unit!.u.kind === 's' ? held.sUpTo : held.eUpTo) >= this.unit!.u.seq) continue;
      const c = this.counters.get(id) ?? { level, id, dims: { ...dims, writer: this.writer }, inc: {} };
      c.inc[measure] = (c.inc[measure] ?? 0) + n;
      this.counters.set(id, c);
    }
  }

  /** A post reached these members (keyed hashes, bots excluded); `reach` when it differs from the keys given (a recovery knows no keys). */
  sent(t: TallyTarget, memberKeys: readonly string[], reach = memberKeys.length): void {
    this.count(t, 'sent');
    this.count(t, 'reach', reach);
    const memberBits = memberKeys.map(memberKeyHex);
    const groupBits = createHash('sha1').update(t.groupId).digest('hex');
    for (const cut of Object.keys(AREA_CUTS) as AreaCut[]) {
      if (memberBits.length) {
        const members = this.sketch(t, cut, 'members');
        for (const k of memberBits) members.sketch.add(k);
        members.dirty = true;
      }
      const groups = this.sketch(t, cut, 'groups');
      groups.sketch.add(groupBits);
      groups.dirty = true;
    }
  }

  get pending(): number {
    return this.counters.size + this.groupDocs.size;
  }

  /** Counter increments since the last call (the group level's per unit, or per writer outside units). */
  takeCounters(): CounterIncrement[] {
    const out = [...this.counters.values(), ...this.groupDocs.values()];
    this.counters = new Map();
    this.groupDocs = new Map();
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

  /** Everything counted since the last flush, numbered; undefined when nothing was. */
  takeFlush(): TallyFlush | undefined {
    if (this.counters.size === 0 && this.groupDocs.size === 0 && ![...this.sketches.values()].some((s) => s.dirty)) return undefined;
    const flush = ++this.flushNo;
    const counters = [...this.counters.values()].map((c) => ({ ...c, flush, sUpTo: this.sUpTo, eUpTo: this.eUpTo }));
    const groupDocs = [...this.groupDocs.values()];
    this.counters = new Map();
    this.groupDocs = new Map();
    return { flush, counters, groupDocs, sketches: this.takeSketches(), sUpTo: this.sUpTo, eUpTo: this.eUpTo };
  }

  /** Drop the sketches of days before `day` (they were flushed; nothing adds to them any more). */
  forgetBefore(day: string): void {
    for (const [id, s] of this.sketches) if (s.state.dims.day < day && !s.dirty) this.sketches.delete(id);
  }

  private inUnit(u: TallyUnit, held: HeldUnits | undefined, fold: () => void): void {
    this.unit = { id: unitId(this.writer, u), held, u };
    try {
      fold();
    } finally {
      this.unit = undefined;
    }
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
      ['post_d', { day: t.day, campaignId: t.campaignId, postId: t.postId, district: t.district }],
      ['group', { day: t.day, campaignId: t.campaignId, groupId: t.groupId }],
    ];
  }
}

/** Segment and district of a target as an area cut keeps them (`*` where rolled up). */
function cutOf(t: Pick<TallyTarget, 'segment' | 'district'>, cut: AreaCut): { segment: string; district: string } {
  const keep: readonly string[] = AREA_CUTS[cut];
  return { segment: keep.includes('segment') ? t.segment : ROLLED_UP, district: keep.includes('district') ? t.district : ROLLED_UP };
}
