import { describe, expect, it } from 'vitest';
import { applyEvent, foldDeliveries, initialState } from '../../../src/outbox/delivery-state.js';
import { type PlannedRecord } from '../../../src/shared/outbox-records.js';
import type { DeliveryEventDoc, SentBatchDoc } from '../../../src/shared/outbox-records.js';

const t = (s: number) => new Date(Date.UTC(2026, 10, 24, 2, 0, s));
const planned = (id: string, extra: Partial<PlannedRecord> = {}): PlannedRecord => ({
  id, runId: 'r', campaignId: 'c', groupId: `g-${id}`, roomId: `room-${id}`, botId: 'a', postId: 'p', contentHash: 'h', text: 'x', priority: 0, notBefore: t(0), status: 'planned', ...extra,
});
const ev = (deliveryId: string, seq: number, kind: DeliveryEventDoc['kind'], extra: Partial<DeliveryEventDoc> = {}): DeliveryEventDoc => ({
  _id: `${deliveryId}:${seq}`, deliveryId, runId: 'r', seq, kind, at: t(seq), ...extra,
});

describe('delivery state', () => {
  it('should follow claim → sent with reach, counting the attempt', () => {
    const [s] = foldDeliveries([planned('1')], [ev('1', 2, 'sent', { reach: 12, sentAt: t(5), day: '2026-11-24' }), ev('1', 1, 'claim', { workerId: 'w', leaseUntil: t(60) })]);
    expect(s).toMatchObject({ status: 'sent', seq: 2, attempts: 1, failures: 0, reach: 12, sentAt: t(5), claimedBy: 'w', leaseUntil: undefined });
  });

  it('should put a failed send back to planned with a later not-before and count it against the budget; a hand-back does not count', () => {
    const events = [
      ev('1', 1, 'claim', { workerId: 'w' }), ev('1', 2, 'retry', { notBefore: t(30), failed: true, reason: 'timeout' }),
      ev('1', 3, 'claim', { workerId: 'w' }), ev('1', 4, 'retry', { notBefore: t(40), failed: false }),
    ];
    const [s] = foldDeliveries([planned('1')], events);
    expect(s).toMatchObject({ status: 'planned', seq: 4, attempts: 2, failures: 1, notBefore: t(40) });
  });

  it('should move a planned delivery to another bot or a new room id', () => {
    const [s] = foldDeliveries([planned('1')], [ev('1', 1, 'moved', { botId: 'b' }), ev('1', 2, 'moved', { roomId: 'new@chatroom' })]);
    expect(s).toMatchObject({ status: 'planned', botId: 'b', roomId: 'new@chatroom', seq: 2 });
  });

  it('should ignore an event that does not follow (a partial read never yields a wrong state)', () => {
    const s = foldDeliveries([planned('1')], [ev('1', 2, 'sent', { reach: 3 })])[0]!;
    expect(s).toMatchObject({ status: 'planned', seq: 0 });
    expect(applyEvent(s, ev('1', 5, 'failed'))).toBe(s);
  });

  it('should keep what the planner recorded as skipped or failed, with the reason', () => {
    const [a, b] = foldDeliveries([planned('1', { status: 'skipped', reason: 'cap' }), planned('2', { status: 'failed', reason: 'no bot online in group' })], []);
    expect([a!.status, a!.reason, b!.status, b!.reason]).toEqual(['skipped', 'cap', 'failed', 'no bot online in group']);
  });

  it('should start a delivery claimed when it was written as sending, at event 1, like a claim event would', () => {
    const claim = { workerId: 'w', at: t(1), leaseUntil: t(61) };
    const s = initialState(planned('1', { claim }));
    expect(s).toMatchObject({ status: 'sending', seq: 1, attempts: 1, claimedBy: 'w', claimedAt: t(1), leaseUntil: t(61) });
    expect(s).toEqual(applyEvent(initialState(planned('1')), { seq: 1, kind: 'claim', at: t(1), workerId: 'w', leaseUntil: t(61), botId: 'a' }));
    // its next change is event 2
    const [after] = foldDeliveries([planned('1', { claim })], [ev('1', 2, 'retry', { notBefore: t(9), failed: false })]);
    expect(after).toMatchObject({ status: 'planned', seq: 2, attempts: 1, notBefore: t(9) });
  });

  it('should read each item of a sent batch as that delivery\'s sent event, and let sent win over a lease expiry at the same step', () => {
    const batch: SentBatchDoc = {
      _id: 'sent:1', kind: 'sent-batch', runId: 'r', campaignId: 'c', botId: 'a', workerId: 'w', at: t(10), groupIds: ['g-1', 'g-2'], count: 2,
      items: [
        { deliveryId: '1', seq: 2, groupId: 'g-1', postId: 'p', reach: 7, sentAt: t(4), day: '2026-11-24' },
        { deliveryId: '2', seq: 2, groupId: 'g-2', postId: 'p', reach: 3, sentAt: t(5), day: '2026-11-24' },
      ],
    };
    const claims = [ev('1', 1, 'claim', { workerId: 'w' }), ev('2', 1, 'claim', { workerId: 'w' }), ev('3', 1, 'claim', { workerId: 'w' })];
    // a sweep that did not see the batch yet expired delivery 2 and 3; 2 was sent all the same
    const expiries = [ev('2', 2, 'unknown', { reason: 'lease expired' }), ev('3', 2, 'unknown', { reason: 'lease expired' })];
    const states = foldDeliveries([planned('1'), planned('2'), planned('3')], [...expiries, batch, ...claims]);
    expect(states.map((s) => [s.status, s.reach, s.sentAt])).toEqual([['sent', 7, t(4)], ['sent', 3, t(5)], ['unknown', undefined, undefined]]);
  });
});
