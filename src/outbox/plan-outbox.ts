import type { Store } from '../store/connection.js';
import type { ClaimAhead, PlanOutbox } from '../campaigns/plan-run.js';
import type { DeliveryState } from './delivery-state.js';
import { capsVersion, countByStatus, insertPlanned, readCapsHistory } from './outbox.js';

/**
 * The dispatcher of the planner's own worker: it has room for deliveries
 * claimed as they are written (`claimAhead`) and takes each chunk once it is
 * in the outbox (`enqueue`). The two go together: a delivery claimed for a
 * worker that is not handed it would only become `unknown`.
 */
export interface LocalSender {
  claimAhead(): ClaimAhead;
  enqueue(states: readonly DeliveryState[]): void;
}

/**
 * The outbox as the planner writes to it: through the store, handing what it wrote to this worker's dispatcher
 * (`local`) when there is one; the caps history read through `reads` (a worker's side connection: that read scans
 * the outbox, and the lanes' claims would wait behind it).
 */
export function planOutbox(store: Store, local?: LocalSender, reads: () => Store = () => store): PlanOutbox {
  return {
    write: async (rows) => {
      const written = await insertPlanned(store, rows);
      return () => local?.enqueue(written);
    },
    readHistory: (since) => readCapsHistory(reads(), since),
    historyVersion: () => capsVersion(store),
    counts: async (runId) => {
      const c = await countByStatus(store, runId);
      return { held: c.planned + c.sending + c.sent + c.unknown + c.failed, skipped: c.skipped };
    },
    ...(local ? { claimAhead: () => local.claimAhead() } : {}),
  };
}
