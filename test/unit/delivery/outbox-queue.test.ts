import { describe, expect, it } from 'vitest';
import { OutboxQueue } from '../../../src/delivery/outbox-queue.js';
import { initialState, type DeliveryState } from '../../../src/outbox/delivery-state.js';

const now = new Date('2026-11-24T02:00:00Z');
const d = (id: string, o: Partial<DeliveryState> = {}): DeliveryState => ({
  ...initialState({ id, runId: 'r', campaignId: 'c', groupId: `g${id}`, roomId: `r${id}`, botId: 'a', postId: 'p', contentHash: 'h', text: 't', priority: 0, notBefore: now, status: 'planned' }),
  ...o,
});

describe('OutboxQueue', () => {
  it('should hand out due deliveries urgent first, then by not-before, never one that is not due', () => {
    const q = new OutboxQueue();
    q.add([d('late', { notBefore: new Date(now.getTime() + 1000) }), d('n2', { notBefore: new Date(now.getTime() - 1000) }), d('n1', { notBefore: new Date(now.getTime() - 2000) }), d('u', { priority: 1 })]);
    expect(q.urgentDue('a', now)).toBe(true);
    expect(q.take('a', now, 10).map((s) => s.id)).toEqual(['u', 'n1', 'n2']);
    expect(q.nextDueAt('a')).toBe(now.getTime() + 1000);
    expect(q.inFlightCount).toBe(3);
  });

  it('should let a newer state replace an older one, and never put back what is in flight', () => {
    const q = new OutboxQueue();
    q.add([d('1'), d('2')]);
    q.add([d('1', { seq: 2, botId: 'b' })]); // moved to bot b
    expect(q.size('a')).toBe(1);
    expect(q.size('b')).toBe(1);
    q.add([d('1', { seq: 1 })]); // an older read changes nothing
    expect(q.size('b')).toBe(1);
    const [taken] = q.take('a', now, 1);
    q.add([d(taken!.id)]); // a sweep that read before the claim
    expect(q.size('a')).toBe(0);
    q.putBack({ ...taken!, seq: 2, notBefore: now });
    expect(q.size('a')).toBe(1);
  });

  it('should drop a delivery that is no longer planned or is for a bot not running here', () => {
    const q = new OutboxQueue((s) => s.botId !== 'elsewhere');
    q.add([d('1'), d('2')]);
    q.add([d('1', { seq: 1, status: 'skipped' }), d('2', { seq: 1, botId: 'elsewhere' })]);
    expect(q.size()).toBe(0);
  });

  it('should tell a waiting lane when work arrives, until it stops listening', () => {
    const q = new OutboxQueue();
    let woken = 0;
    const stop = q.onAdded(() => woken++);
    q.add([d('1')]);
    q.add([d('1')]); // nothing new: no call
    stop();
    q.add([d('2')]);
    expect(woken).toBe(1);
  });

  it('should hold deliveries claimed at planning as in flight for their bot, wake waiting lanes, and never queue them from a read', () => {
    const q = new OutboxQueue();
    let woken = 0;
    q.onAdded(() => woken++);
    const held = [d('h1', { status: 'sending', seq: 1 }), d('h2', { status: 'sending', seq: 1 })];
    q.hold(held);
    expect(woken).toBe(1);
    expect(q.inFlightOf('a')).toBe(2);
    expect(q.isInFlight('h1')).toBe(true);
    q.add([d('h1', { seq: 3 }), d('x')]); // a read of h1 (given back) while it is still held here changes nothing
    expect(q.size('a')).toBe(1);
    q.settle('h1');
    q.putBack(d('h2', { seq: 2 }));
    expect(q.inFlightOf('a')).toBe(0);
    expect(q.size('a')).toBe(2);
  });

  it('should answer "is an urgent one due" from its urgent count, and keep the count through takes and moves', () => {
    const q = new OutboxQueue();
    q.add([d('n'), d('u', { priority: 1, notBefore: new Date(now.getTime() + 1000) })]);
    expect(q.urgentDue('a', now)).toBe(false); // queued but not due
    expect(q.urgentDue('a', new Date(now.getTime() + 1000))).toBe(true);
    q.add([d('u', { priority: 1, seq: 1, botId: 'b' })]); // moved to bot b
    expect(q.urgentDue('a', new Date(now.getTime() + 1000))).toBe(false);
    expect(q.urgentDue('b', new Date(now.getTime() + 1000))).toBe(true);
    q.take('b', new Date(now.getTime() + 1000), 5);
    expect(q.urgentDue('b', new Date(now.getTime() + 1000))).toBe(false);
  });

  it('should drop, and no longer queue, what it now refuses (a paused campaign), keeping deliveries in flight', () => {
    const paused = new Set<string>();
    const q = new OutboxQueue((s) => !paused.has(s.campaignId));
    q.add([d('1'), d('2', { campaignId: 'other' }), d('3'), d('u', { priority: 1 })]);
    const [taken] = q.take('a', now, 1);
    expect(taken!.id).toBe('u');
    paused.add('c');
    q.dropRefused();
    expect(q.size('a')).toBe(1);
    expect(q.urgentDue('a', now)).toBe(false);
    expect(q.isInFlight('u')).toBe(true);
    q.putBack({ ...taken!, seq: 1 }); // a lane gives it back while paused: not queued again
    expect(q.size('a')).toBe(1);
    paused.clear();
    q.add([d('1', { seq: 1 }), d('3', { seq: 1 })]); // the next sweep after resuming
    expect(q.size('a')).toBe(3);
  });

  it('should say which runs it holds, queued or in flight, until they are settled', () => {
    const q = new OutboxQueue();
    q.add([d('1', { runId: 'r1' }), d('2', { runId: 'r2', notBefore: new Date(now.getTime() + 60_000) })]);
    expect([...q.runs()].sort()).toEqual(['r1', 'r2']);
    const [taken] = q.take('a', now, 1);
    expect([...q.runs()].sort()).toEqual(['r1', 'r2']); // in flight: still held here
    q.settle(taken!.id);
    expect([...q.runs()]).toEqual(['r2']);
    q.dropBot('a');
    expect(q.runs().size).toBe(0);
  });
});
