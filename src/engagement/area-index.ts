import type { Clock } from '../config/clock.js';
import type { Store } from '../store/connection.js';
import { listGroups, targetingVersion } from '../store/groups-repo.js';
import type { GroupRecord } from '../shared/groups.js';

/** Where a group's posts count in reports: its first segment and its district. */
export interface Area {
  segment: string;
  district: string;
}

/** The segment a group counts under in reports: its first (groups are tagged most specific first). */
export function primarySegment(g: Pick<GroupRecord, 'segments'>): string {
  return g.segments[0] ?? 'general';
}

export function areaOf(g: Pick<GroupRecord, 'segments' | 'district'> | undefined): Area {
  return { segment: g ? primarySegment(g) : 'general', district: g?.district ?? '(untagged)' };
}

/**
 * The area of every group, from one read of the registry: counting a run's
 * sent posts asks for thousands of groups, and one read of the registry by
 * `_id` per group (what a cache per group costs) kept FerretDB busy for
 * minutes at fleet scale. Read again when a group is missing or the
 * registry's targeting version changed (at most every `refreshEveryMs`;
 * people joining and leaving groups change no area).
 */
export class AreaIndex {
  private areas = new Map<string, Area>();
  private loaded: { at: number; version: string } | undefined;
  private loading: Promise<void> | undefined;

  constructor(private readonly store: Store, private readonly clock: Clock, private readonly o: { refreshEveryMs?: number } = {}) {}

  /** Areas of these groups (a group the registry does not know counts as general and untagged). */
  async areasOf(groupIds: Iterable<string>): Promise<Map<string, Area>> {
    const ids = [...new Set(groupIds)];
    const now = this.clock.now().getTime();
    const stale = !this.loaded || now - this.loaded.at >= (this.o.refreshEveryMs ?? 60_000);
    if (ids.some((id) => !this.areas.has(id)) || stale) await this.reload(stale);
    return new Map(ids.map((id) => [id, this.areas.get(id) ?? areaOf(undefined)]));
  }

  private reload(stale: boolean): Promise<void> {
    this.loading ??= (async () => {
      const version = await targetingVersion(this.store);
      const missing = !this.loaded || this.loaded.version !== version;
      // a stale read of an unchanged registry is only marked fresh; a missing group with an unchanged version stays missing
      if (missing || (!stale && this.loaded && this.clock.now().getTime() - this.loaded.at > 10_000)) {
        const groups = await listGroups(this.store);
        this.areas = new Map(groups.map((g) => [g.id, areaOf(g)]));
      }
      this.loaded = { at: this.clock.now().getTime(), version };
    })().finally(() => (this.loading = undefined));
    return this.loading;
  }
}
