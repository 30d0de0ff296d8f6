import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { holdBotLease, leaseHolders } from '../../src/store/leases-repo.js';
import { fenceWorker, renewPresence } from '../../src/store/workers-repo.js';
import { heartbeat, onlineBotIds } from '../../src/store/bots-repo.js';
import type { Store } from '../../src/store/connection.js';

/** A bot's lease holds while its `until` (a backstop) has not passed and its worker's presence has not run out. */
describe('bot leases held by a worker\'s presence', () => {
  let store: Store & { drop(): Promise<void> };
  const t0 = new Date('2026-12-04T10:00:00+08:00').getTime();
  const at = (s: number): Date => new Date(t0 + s * 1000);
  /** A presence renewed at `s` seconds holds for 6 s; leases have a backstop of a minute. */
  const renew = (workerId: string, gen: number, s: number): Promise<boolean> => renewPresence(store, { workerId, gen, until: at(s + 6), now: at(s) });
  const hold = (botId: string, workerId: string, s: number, anew = false): Promise<number | undefined> => holdBotLease(store, botId, workerId, 60_000, at(s), anew);

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
  });
  afterAll(async () => store?.drop());

  it('should hold a live worker\'s lease against others, and give it to one of them once its presence ran out, fencing it off', async () => {
    expect(await renew('X', 1, 0)).toBe(true);
    expect(await hold('b1', 'X', 0)).toBe(1);
    expect(await renew('Y', 1, 0)).toBe(true);
    // X renews its presence only (the lease document is not written again): still X's
    expect(await renew('X', 1, 4)).toBe(true);
    expect(await hold('b1', 'Y', 8)).toBeUndefined();
    expect((await leaseHolders(store, at(8))).get('b1')).toBe('X');
    // X not heard from since 4 s: at 10 s its presence ran out, its lease with it (whatever its backstop says)
    expect(await renew('Y', 1, 9)).toBe(true);
    expect((await leaseHolders(store, at(10.5))).get('b1')).toBeUndefined();
    expect(await hold('b1', 'Y', 10.5)).toBe(2);
    expect((await leaseHolders(store, at(10.5))).get('b1')).toBe('Y');
    // X heard from again: fenced off, so it knows its leases are not to be trusted; taken anew, b1 stays Y's
    expect(await renew('X', 1, 11)).toBe(false);
    expect(await renew('X', 2, 11)).toBe(true);
    expect(await hold('b1', 'X', 11, true)).toBeUndefined();
    expect((await leaseHolders(store, at(11))).get('b1')).toBe('Y');
  });

  it('should leave a lease to a worker that renewed its presence after it was fenced, and let it take its leases anew', async () => {
    expect(await renew('Z', 1, 20)).toBe(true);
    expect(await hold('b2', 'Z', 20)).toBe(1);
    // another worker saw Z's presence run out and fenced it; Z renewed before that worker looked again
    await fenceWorker(store, 'Z', 1, 'Y', at(27));
    expect(await renew('Z', 1, 27.5)).toBe(false);
    expect(await renew('Z', 2, 27.5)).toBe(true);
    // Z's presence holds again: nobody else may take b2, and Z holds it under a new epoch
    expect(await renew('Y', 1, 28)).toBe(true);
    expect(await hold('b2', 'Y', 28)).toBeUndefined();
    expect(await hold('b2', 'Z', 28, true)).toBe(2);
    expect((await leaseHolders(store, at(28))).get('b2')).toBe('Z');
  });

  it('should let a lease of a worker that has no presence at all be taken at once', async () => {
    expect(await hold('b3', 'gone', 40)).toBe(1);
    expect((await leaseHolders(store, at(40))).get('b3')).toBeUndefined();
    expect(await hold('b3', 'Y', 40)).toBe(2);
  });

  it('should count a logged-in bot online while its worker holds it, on a heartbeat up to three minutes old, and on a fresh one only once that worker is gone', async () => {
    expect(await renew('V', 1, 100)).toBe(true);
    expect(await hold('b4', 'V', 100)).toBe(1);
    await heartbeat(store, 'b4', 'V', at(100));
    // V renews its presence every few seconds (and the lease's backstop now and then), the bot's heartbeat once a minute
    expect(await renew('V', 1, 160)).toBe(true);
    expect(await hold('b4', 'V', 160)).toBe(1);
    expect(await onlineBotIds(store, at(161))).toContain('b4');
    // a heartbeat three minutes old: the bot's going offline was never recorded
    expect(await hold('b4', 'V', 210)).toBe(1);
    expect(await renew('V', 1, 281)).toBe(true);
    expect(await onlineBotIds(store, at(282))).not.toContain('b4');
    // V gone: a heartbeat counts for 30 s
    await heartbeat(store, 'b4', 'V', at(282));
    expect(await onlineBotIds(store, at(300))).toContain('b4');
    expect(await onlineBotIds(store, at(313))).not.toContain('b4');
  });
});
