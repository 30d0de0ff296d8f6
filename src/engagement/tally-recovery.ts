import type { Clock } from '../config/clock.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/connection.js';
import { closeTallySession, openTallySessions, sessionCounterMarks, sessionEngagements, writeTallyFlush } from '../store/engagement-repo.js';
import { findSessionSentBatches } from '../store/deliveries-repo.js';
import { holdBotLease } from '../store/leases-repo.js';
import type { EngagementKind } from '../shared/counters.js';
import { Tally, sessionIsDead, type CountedPost, type TallyTarget } from './tally.js';
import type { AreaIndex } from './area-index.js';

export interface TallyRecoveryOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Who completes (a lease `tally:<session>` keeps two workers from completing one session at once). */
  adopter: string;
  areas: AreaIndex;
  /** A session silent for its process's exit time, two keep-alives and this much more is dead. @defaultValue 5000 */
  marginMs?: number;
}

/**
 * Complete the counters of tally sessions whose process died (a worker
 * killed with SIGKILL, or one that gave up without its database): their
 * units are in the database — sent batches tagged with the session's unit,
 * engagement events with `_id`s of its units — and every counter document
 * of the session says how far its units reach in it, so what the session
 * counted but never wrote is added now, each increment exactly once. The
 * session is then closed. A dead session's members reached by its last,
 * unwritten flush are not known to the outbox: its groups sketch is
 * completed, its members sketch is not (unique reach may miss them).
 * Returns how many sessions were completed.
 */
export async function completeDeadSessions(o: TallyRecoveryOptions): Promise<number> {
  const now = o.clock.now();
  let done = 0;
  for (const s of (await openTallySessions(o.store)).filter((x) => sessionIsDead(x, now, o.marginMs))) {
    if (!(await holdBotLease(o.store, `tally:${s._id}`, o.adopter, 5 * 60_000, now))) continue;
    const marks = await sessionCounterMarks(o.store, s._id);
    const sent = await findSessionSentBatches(o.store, s._id, s.sUpTo);
    const events = await sessionEngagements(o.store, s._id, s.eUpTo);
    const tally = new Tally(s._id);
    tally.startFlushesAfter(Math.max(s.f, ...[...marks.values()].map((m) => m.f)));
    const held = (id: string) => marks.get(id);
    const areas = await o.areas.areasOf(sent.flatMap((b) => b.items.map((i) => i.groupId)));
    const sentUnits = [...new Set(sent.map((b) => b.seq))].sort((a, b) => a - b);
    for (const seq of sentUnits) {
      const posts: CountedPost[] = sent
        .filter((b) => b.seq === seq)
        .flatMap((b) => b.items.map((i) => ({ target: { day: i.day, campaignId: b.campaignId, postId: i.postId, groupId: i.groupId, ...areas.get(i.groupId)! }, reach: i.reach, memberKeys: [] })));
      tally.foldSent({ kind: 's', seq }, posts, held);
    }
    const engagementUnits = [...new Set(events.map((e) => e.seq))].sort((a, b) => a - b);
    for (const seq of engagementUnits) {
      const list: { target: TallyTarget; kind: EngagementKind }[] = events
        .filter((e) => e.seq === seq)
        .map((e) => ({ kind: e.kind, target: { day: e.day, campaignId: e.campaignId, postId: e.postId, groupId: e.groupId, segment: e.segment, district: e.district } }));
      tally.foldEngagements({ kind: 'e', seq }, list, held);
    }
    const flush = tally.takeFlush();
    if (flush) await writeTallyFlush(o.store, flush);
    const reached = { f: flush?.flush ?? s.f, sUpTo: Math.max(s.sUpTo, ...sentUnits), eUpTo: Math.max(s.eUpTo, ...engagementUnits) };
    await closeTallySession(o.store, s._id, o.clock.now(), o.adopter, reached);
    o.log.info({ session: s._id, writer: s.writer, sentUnits: sentUnits.length, engagementUnits: engagementUnits.length }, 'completed the counters of a worker that stopped without writing them (from the outbox and the engagement events)');
    done++;
  }
  return done;
}
