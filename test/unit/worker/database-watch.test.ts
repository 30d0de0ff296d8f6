import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/clock.js';
import { captureLogger } from '../../support/log.js';
import { DatabaseWatch } from '../../../src/worker/database-watch.js';
import { isDatabaseUnreachable, PingTimeoutError } from '../../../src/store/db-ping.js';

const networkError = (): Error => Object.assign(new Error('connection 3 to 127.0.0.1:27017 closed'), { name: 'MongoNetworkError' });

describe('the worker\'s watch of its database', () => {
  it('should say an outage once when it starts, once a minute while it lasts and once when it ends, and give up after the set time', async () => {
    const clock = new FakeClock();
    const logs = captureLogger('info');
    let up = true;
    const lost: Error[] = [];
    const watch = new DatabaseWatch({ ping: { ping: async () => void (up || (() => { throw networkError(); })()) }, log: logs.log, clock, exitAfterMs: 300_000, onLost: (e) => lost.push(e) });
    await watch.check();
    expect(watch.reachable).toBe(true);
    up = false;
    // every lane, sweep and flush meets the outage: one line says it
    for (let s = 0; s < 150; s++) {
      await watch.check();
      for (let lane = 0; lane < 12; lane++) expect(watch.noteFailure(networkError())).toBe(true);
      watch.noteWaiting(s % 10 === 0 ? 1 : 0);
      clock.advance(1000);
    }
    expect(watch.reachable).toBe(false);
    const lines = logs.lines().map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.filter((l) => /database unreachable/.test(l.msg))).toHaveLength(1);
    expect(lines.filter((l) => /still unreachable/.test(l.msg))).toHaveLength(2);
    expect(lines).toHaveLength(3);
    up = true;
    await watch.check();
    expect(watch.reachable).toBe(true);
    expect(JSON.parse(logs.lines().at(-1)!)).toMatchObject({ msg: 'database back after 150 s; the 15 writes that waited are written now', downForSec: 150 });
    watch.noteRetried(15);
    expect(JSON.parse(logs.lines().at(-1)!).msg).toMatch(/every write that waited for the database is written \(15\)/);
    // a second outage that lasts: the worker gives up with what to check
    up = false;
    for (let s = 0; s <= 300; s++) {
      await watch.check();
      clock.advance(1000);
    }
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ code: 'ZHIMI_E_DB_UNREACHABLE' });
    expect(lost[0]!.message).toMatch(/unreachable for 300 s .*check that it runs \(`zhimi db start` for the development database\) and that MONGODB_URI points at it/);
  });

  it('should take pings left unanswered for a while on a loaded machine as slowness, and only 5 s without an answer as an outage', async () => {
    const clock = new FakeClock();
    const logs = captureLogger('info');
    let answers = true;
    // a ping that times out takes its timeout (2 s) on the clock, as it would
    const ping = async (timeoutMs: number): Promise<void> => {
      if (answers) return;
      clock.advance(timeoutMs);
      throw new PingTimeoutError(timeoutMs);
    };
    const watch = new DatabaseWatch({ ping: { ping }, log: logs.log, clock, exitAfterMs: 300_000, onLost: () => undefined });
    await watch.check();
    // one ping unanswered (a FerretDB scan on a hogged core), then answered again: nobody is told, nothing waits
    clock.advance(1000);
    answers = false;
    await watch.check();
    expect(watch.reachable).toBe(true);
    answers = true;
    clock.advance(1000);
    await watch.check();
    expect(logs.lines()).toEqual([]);
    // paused: the second ping in a row unanswered, 5 s after the last answer, says it
    answers = false;
    clock.advance(1000);
    await watch.check();
    expect(watch.reachable).toBe(true);
    clock.advance(1000);
    await watch.check();
    expect(watch.reachable).toBe(false);
    expect(logs.lines().map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([expect.stringMatching(/^database unreachable/)]);
  });

  it('should take the driver\'s own timeouts as silence too, and a refused connection as an outage at once', async () => {
    const clock = new FakeClock();
    const logs = captureLogger('info');
    let failure: Error | undefined;
    const watch = new DatabaseWatch({ ping: { ping: async () => { if (failure) throw failure; } }, log: logs.log, clock, exitAfterMs: 300_000, onLost: () => undefined });
    // a slow start: the silence is counted from start(), not from when the watch was made
    clock.advance(10_000);
    watch.start();
    watch.close();
    failure = Object.assign(new Error('Server selection timed out after 2000 ms'), { name: 'MongoServerSelectionError' });
    await watch.check();
    expect(watch.reachable).toBe(true);
    failure = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoServerSelectionError' });
    await watch.check();
    expect(watch.reachable).toBe(false);
  });

  it('should quiet a part that retries on its own: its outage errors are said once by the watch, its other lines pass', async () => {
    const clock = new FakeClock();
    const logs = captureLogger('info');
    const watch = new DatabaseWatch({ ping: { ping: async () => undefined }, log: logs.log, clock, exitAfterMs: 300_000, onLost: () => undefined });
    await watch.check();
    const scheduler = watch.quiet(logs.log).child({ module: 'scheduler' });
    // a sync every second through a 150 s outage
    for (let s = 0; s < 150; s++) {
      scheduler.warn({ err: Object.assign(new Error('connection <monitor> to 127.0.0.1:34763 timed out'), { name: 'MongoServerSelectionError' }) }, 'could not read the campaigns\' version; the next sync picks changes up');
      if (s % 15 === 0) scheduler.error({ err: networkError() }, 'campaign sync failed');
      clock.advance(1000);
    }
    scheduler.warn({ campaignId: 'c1' }, 'a due time passed while no worker was running: sending it now');
    scheduler.error({ err: new Error('Cast to ObjectId failed') }, 'run failed');
    scheduler.info('resumed');
    const lines = logs.lines().map((l) => JSON.parse(l) as { level: number; msg: string; module?: string });
    expect(lines.filter((l) => /database unreachable/.test(l.msg))).toHaveLength(1);
    expect(lines.filter((l) => l.module === 'scheduler').map((l) => l.msg)).toEqual(['a due time passed while no worker was running: sending it now', 'run failed', 'resumed']);
    expect(watch.reachable).toBe(false);
  });

  it('should tell the database being out of reach from a request it refused', () => {
    expect(isDatabaseUnreachable(networkError())).toBe(true);
    expect(isDatabaseUnreachable(Object.assign(new Error('Server selection timed out after 5000 ms'), { name: 'MongoServerSelectionError' }))).toBe(true);
    expect(isDatabaseUnreachable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    // an unordered bulk write that met a database gone away
    expect(isDatabaseUnreachable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:34055'), { name: 'MongoBulkWriteError' }))).toBe(true);
    // a paused server: the driver's monitor times out and interrupts the connections in use (seen by a lane's bulk write in the chaos suite)
    expect(isDatabaseUnreachable(Object.assign(new Error('Connection to 127.0.0.1:43779 interrupted due to server monitor timeout'), { name: 'MongoBulkWriteError' }))).toBe(true);
    expect(isDatabaseUnreachable(Object.assign(new Error('Connection pool for 127.0.0.1:34055 was cleared because another operation failed with: "connection <monitor> to 127.0.0.1:34055 timed out"'), { name: 'MongoBulkWriteError' }))).toBe(true);
    expect(isDatabaseUnreachable(Object.assign(new Error('E11000 duplicate key error'), { code: 11000, name: 'MongoBulkWriteError' }))).toBe(false);
    expect(isDatabaseUnreachable(new Error('Cast to ObjectId failed'))).toBe(false);
  });
});
