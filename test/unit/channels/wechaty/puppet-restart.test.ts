import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PuppetRestarter, StartListeners } from '../../../../src/channels/wechaty/puppet-restart.js';

/** A puppet that behaves as wechaty-puppet does: every start adds listeners, no stop removes them. */
class LeakyPuppet extends EventEmitter {
  readonly __watchdog = { watchdog: new EventEmitter() };
  failNextStart = false;
  async start(): Promise<void> {
    this.on('login', () => undefined);
    this.on('scan', () => undefined);
    this.on('stop', () => undefined);
    this.on('heartbeat', () => undefined);
    this.__watchdog.watchdog.on('reset', () => undefined);
    if (this.failNextStart) {
      this.failNextStart = false;
      throw new Error('14 UNAVAILABLE: No connection established');
    }
  }
  async stop(): Promise<void> {}
}

const counts = (p: LeakyPuppet) => ({
  login: p.listenerCount('login'),
  scan: p.listenerCount('scan'),
  stop: p.listenerCount('stop'),
  heartbeat: p.listenerCount('heartbeat'),
  reset: p.__watchdog.watchdog.listenerCount('reset'),
});

describe('restarting a puppet to reconnect', () => {
  it('should leave no pile of the listeners each start adds, failed starts included', async () => {
    const p = new LeakyPuppet();
    const keep = (): void => undefined;
    p.on('login', keep); // someone else's listener (Wechaty's), there before
    await p.start(); // the first start, as Wechaty made it
    const restarter = new PuppetRestarter(p);
    for (let i = 0; i < 12; i++) {
      if (i % 3 === 1) p.failNextStart = true;
      await restarter.restart().catch(() => undefined);
    }
    // the first start's set, the last restart's set, and the listener that was there before
    expect(counts(p)).toEqual({ login: 3, scan: 2, stop: 2, heartbeat: 2, reset: 2 });
    expect(p.listeners('login')).toContain(keep);
  });

  it('should reject as the start does', async () => {
    const p = new LeakyPuppet();
    p.failNextStart = true;
    await expect(new PuppetRestarter(p).restart()).rejects.toThrow(/UNAVAILABLE/);
  });

  it('should remove, once a puppet stopped, what its starts added (a simulated account started by each reconnecting bot)', async () => {
    const p = new LeakyPuppet();
    const started = new StartListeners(p);
    for (let i = 0; i < 5; i++) {
      await started.during(() => p.start());
      expect(counts(p)).toEqual({ login: 1, scan: 1, stop: 1, heartbeat: 1, reset: 1 });
      await p.stop();
      started.removeAdded();
      expect(counts(p)).toEqual({ login: 0, scan: 0, stop: 0, heartbeat: 0, reset: 0 });
    }
  });
});
