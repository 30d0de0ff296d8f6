import type { ServerResponse } from 'node:http';
import type { AppContext } from '../app/context.js';
import { fleetStatus } from '../app/fleet-status.js';
import { keptRuns, runsFor } from '../app/live.js';
import { can, type Actor } from '../shared/permissions.js';

/**
 * Server-sent events for the console: `progress` (the runs in progress the
 * viewer may see) and `fleet` (bots and workers, for those who may see the
 * fleet), sent when they change. Every instance reads the database on its
 * own tick, so several instances behind one address show the same state;
 * one read per tick is shared by every viewer of this instance.
 */
interface Viewer {
  actor: Actor;
  res: ServerResponse;
  sent: Map<string, string>;
  stillSignedIn: () => Promise<Actor | undefined>;
  checkedAt: number;
}

export class LiveFeed {
  private readonly viewers = new Set<Viewer>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly everyMs = 2_000,
    private readonly recheckMs = 15_000,
  ) {}

  /**
   * Stream to one viewer until they go away, or until `stillSignedIn` (asked every `recheckMs`) says their
   * session or token no longer holds (signed out, expired, revoked, disabled), or their roles and scope changed.
   */
  add(actor: Actor, res: ServerResponse, stillSignedIn: () => Promise<Actor | undefined>): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 3000\n\n`);
    const viewer: Viewer = { actor, res, sent: new Map<string, string>(), stillSignedIn, checkedAt: Date.now() };
    this.viewers.add(viewer);
    res.on('close', () => {
      this.viewers.delete(viewer);
      if (!this.viewers.size) this.stop();
    });
    this.timer ??= setInterval(() => void this.tick(), this.everyMs);
    void this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const v of this.viewers) v.res.end();
    this.viewers.clear();
  }

  private async tick(): Promise<void> {
    if (this.ticking || !this.viewers.size) return;
    this.ticking = true;
    try {
      const viewers = [...this.viewers];
      const runs = (await keptRuns(this.ctx)).value;
      const fleet = viewers.some((v) => can(v.actor, 'fleet:read').ok) ? await fleetStatus(this.ctx) : undefined;
      for (const v of viewers) {
        if (!(await this.holds(v))) continue;
        if (can(v.actor, 'campaigns:read').ok) this.send(v, 'progress', { runs: runsFor(v.actor, runs) });
        if (fleet && can(v.actor, 'fleet:read').ok) this.send(v, 'fleet', fleet);
      }
    } catch (err) {
      this.ctx.log.warn({ err }, 'live feed could not read the database; trying again');
    } finally {
      this.ticking = false;
    }
  }

  /** Whether a viewer's credentials still hold (read again every `recheckMs`); a viewer whose do not is sent away. */
  private async holds(v: Viewer): Promise<boolean> {
    if (Date.now() - v.checkedAt < this.recheckMs) return true;
    v.checkedAt = Date.now();
    const now = await v.stillSignedIn();
    if (now && JSON.stringify([now.roles, now.scope]) === JSON.stringify([v.actor.roles, v.actor.scope])) return true;
    this.viewers.delete(v);
    v.res.end();
    return false;
  }

  private send(v: Viewer, event: string, data: unknown): void {
    const json = JSON.stringify(data);
    if (v.sent.get(event) === json) return;
    v.sent.set(event, json);
    v.res.write(`event: ${event}\ndata: ${json}\n\n`);
  }
}
