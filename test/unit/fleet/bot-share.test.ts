import { describe, expect, it } from 'vitest';
import { shareBots, type ShareInput, type WorkerPresence } from '../../../src/fleet/bot-share.js';

const bots = ['b1', 'b2', 'b3', 'b4', 'b5'];
const w = (workerId: string, held: number, failing: string[] = []): WorkerPresence => ({ workerId, held, failing });
const input = (o: Partial<ShareInput>): ShareInput => ({
  self: 'A',
  bots,
  workers: [w('A', 0)],
  held: [],
  running: [],
  free: [],
  neglected: new Set(),
  avoid: new Set(),
  queued: () => 0,
  ...o,
});

describe('shareBots', () => {
  it('should let a worker alone take every free bot', () => {
    expect(shareBots(input({ free: bots }))).toEqual({ share: 5, take: bots, release: [] });
  });

  it('should take free bots only up to the share when other workers live', () => {
    const plan = shareBots(input({ workers: [w('A', 1), w('B', 2)], held: ['b1'], running: ['b1'], free: ['b4', 'b5'] }));
    expect(plan.share).toBe(3);
    expect(plan.take).toEqual(['b4', 'b5']);
    expect(shareBots(input({ workers: [w('A', 2), w('B', 2)], held: ['b1', 'b2'], running: ['b1', 'b2'], free: ['b5'] })).take).toEqual(['b5']);
    expect(shareBots(input({ workers: [w('A', 3), w('B', 1)], held: ['b1', 'b2', 'b3'], running: ['b1', 'b2', 'b3'], free: ['b5'] })).take).toEqual([]);
  });

  it('should hand surplus over to a worker with room, the least busy bots first, and no more than it has room for', () => {
    const held = ['b1', 'b2', 'b3', 'b4', 'b5'];
    const queued = (b: string): number => ({ b1: 9, b2: 0, b3: 4, b4: 0, b5: 7 })[b]!;
    const plan = shareBots(input({ workers: [w('A', 5), w('B', 0)], held, running: held, queued }));
    expect(plan).toEqual({ share: 3, take: [], release: ['b4', 'b2'] });
    // a third worker that already has its share takes nothing off A
    expect(shareBots(input({ workers: [w('A', 5), w('B', 2), w('C', 2)], held, running: held, queued })).release).toEqual([]);
  });

  it('should keep bots still starting, and bots no worker with room can start', () => {
    const held = ['b1', 'b2', 'b3', 'b4', 'b5'];
    expect(shareBots(input({ workers: [w('A', 5), w('B', 0)], held, running: ['b1', 'b2'] })).release).toEqual(['b2', 'b1']);
    expect(shareBots(input({ workers: [w('A', 5), w('B', 0, ['b1', 'b2', 'b3', 'b4'])], held, running: held })).release).toEqual(['b5']);
    expect(shareBots(input({ workers: [w('A', 5), w('B', 0, bots)], held, running: held })).release).toEqual([]);
  });

  it('should not take a bot it avoids, unless nobody took it for a while', () => {
    const workers = [w('A', 0, ['b1']), w('B', 3)];
    expect(shareBots(input({ workers, free: ['b1', 'b2'], avoid: new Set(['b1']) })).take).toEqual(['b2']);
    // handed over just now but nobody took it: take it back
    expect(shareBots(input({ workers: [w('A', 0), w('B', 3)], free: ['b1'], avoid: new Set(['b1']), neglected: new Set(['b1']) })).take).toEqual(['b1']);
    // failed here: taken back only if every other worker failed it too
    expect(shareBots(input({ workers, free: ['b1'], avoid: new Set(['b1']), neglected: new Set(['b1']) })).take).toEqual([]);
    expect(shareBots(input({ workers: [w('A', 0, ['b1']), w('B', 3, ['b1'])], free: ['b1'], avoid: new Set(['b1']), neglected: new Set(['b1']) })).take).toEqual(['b1']);
  });

  it('should take a neglected bot beyond its share (a worker with room could not start it)', () => {
    const plan = shareBots(input({ workers: [w('A', 3), w('B', 0, ['b5'])], held: ['b1', 'b2', 'b3'], running: ['b1', 'b2', 'b3'], free: ['b4', 'b5'], neglected: new Set(['b5']) }));
    expect(plan.take).toEqual(['b5']);
    // and does not hand it (or anything B failed) back to B
    const after = shareBots(input({ workers: [w('A', 4), w('B', 1, ['b5'])], held: ['b1', 'b2', 'b3', 'b5'], running: ['b1', 'b2', 'b3', 'b5'] }));
    expect(after.release).toHaveLength(1);
    expect(after.release).not.toContain('b5');
  });
});
