import { within } from './liveness.js';

/** An emitter's listener, to remove later. */
interface ListenerRef {
  emitter: Emitter;
  event: string;
  fn: (...args: unknown[]) => void;
}

interface Emitter {
  listeners(event: string): Function[];
  removeListener(event: string, fn: (...args: unknown[]) => void): unknown;
}

/** A puppet as far as starting and stopping it goes. `__watchdog.watchdog` is wechaty-puppet's watchdog (internal). */
export interface RestartablePuppet extends Emitter {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * wechaty-puppet adds listeners at every start of a puppet — its login
 * mixin on `scan`, `login` and `stop`, its watchdog agent on `heartbeat` and
 * on the watchdog's `reset` — and removes none at stop (its clean-up removes
 * functions it never added). A puppet started again and again would pile
 * them up, and a watchdog timeout would then reset it once per pile.
 */
const PUPPET_EVENTS = ['scan', 'login', 'stop', 'heartbeat'];
const WATCHDOG_EVENTS = ['reset'];

/** Notes the listeners a puppet's start adds, and removes them once it has stopped. */
export class StartListeners {
  private added: ListenerRef[] = [];

  constructor(private readonly puppet: Emitter) {}

  /** Run a start of the puppet, noting what it adds (a start that fails may add them too). */
  async during(start: () => Promise<void>): Promise<void> {
    const before = new Set(this.listeners().map((r) => r.fn));
    try {
      await start();
    } finally {
      this.added.push(...this.listeners().filter((r) => !before.has(r.fn)));
    }
  }

  /** The puppet stopped: what its starts added goes. */
  removeAdded(): void {
    for (const r of this.added.splice(0)) r.emitter.removeListener(r.event, r.fn);
  }

  private listeners(): ListenerRef[] {
    const watchdog = (this.puppet as { __watchdog?: { watchdog?: Emitter } }).__watchdog?.watchdog;
    const of = (emitter: Emitter, events: readonly string[]): ListenerRef[] =>
      events.flatMap((event) => emitter.listeners(event).map((fn) => ({ emitter, event, fn: fn as ListenerRef['fn'] })));
    return [...of(this.puppet, PUPPET_EVENTS), ...(watchdog && typeof watchdog.listeners === 'function' ? of(watchdog, WATCHDOG_EVENTS) : [])];
  }
}

/**
 * Stops and starts one puppet again (a reconnect), leaving behind none of the
 * listeners its previous restarts added. What the very first start added
 * (inside Wechaty's start) stays: one set, not a pile.
 */
export class PuppetRestarter {
  private readonly started: StartListeners;

  constructor(private readonly puppet: RestartablePuppet) {
    this.started = new StartListeners(puppet);
  }

  /**
   * Stop (errors ignored: it may be half gone) and start again; rejects as
   * the start does. Neither waits past its limit: on a connection that went
   * silent, wechaty-puppet-service's stop and start make calls without a
   * deadline that never end (they are left to themselves).
   */
  async restart(limits: { stopMs: number; startMs: number } = { stopMs: 5000, startMs: 15_000 }): Promise<void> {
    await within(this.puppet.stop(), limits.stopMs, () => new Error('stop took too long')).catch(() => undefined);
    this.started.removeAdded();
    await this.started.during(() => within(this.puppet.start(), limits.startMs, () => new Error(`no answer from its puppet service within ${limits.startMs / 1000} s of a start`)));
  }
}
