import { describe, expect, it } from 'vitest';
import { applyEvent, foldDeliveries, type PlannedRecord } from '../../../src/store/delivery-state.js';
import type { DeliveryEventDoc } from '../../../src/store/models/delivery-events.js';

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
});
