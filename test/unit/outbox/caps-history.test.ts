import { describe, expect, it } from 'vitest';
import { capsHistory, capsRecords } from '../../../src/outbox/caps-history.js';
import type { DeliveryState } from '../../../src/outbox/delivery-state.js';

const at = (s: string): Date => new Date(s);
const state = (id: string, over: Partial<DeliveryState>): DeliveryState => ({
  id, runId: 'r1', campaignId: 'c', groupId: `g-${id}`, roomId: `${id}@chatroom`, botId: 'a', postId: 'p', contentHash: 'h', text: '一段很长的提醒……',
  priority: 0, notBefore: at('2026-12-04T02:00:00Z'), status: 'planned', seq: 0, attempts: 0, failures: 0, ...over,
});

describe('capsHistory', () => {
  const now = at('2026-12-04T02:00:30Z');
  const states = [
    state('sent', { status: 'sent', sentAt: at('2026-12-04T02:00:05Z') }),
    state('unknown', { status: 'unknown', claimedAt: at('2026-12-04T02:00:07Z') }),
    state('waiting', { status: 'planned' }),
    state('tomorrow', { status: 'planned', notBefore: at('2026-12-05T00:00:00Z') }),
    state('failed', { status: 'failed' }),
    state('skipped', { status: 'skipped' }),
    state('old', { status: 'sent', notBefore: at('2026-12-01T02:00:00Z'), sentAt: at('2026-12-01T02:00:00Z') }),
    state('own', { status: 'planned', runId: 'r2' }),
  ];

  it('should keep only what can count, and nothing of a delivery caps do not need', () => {
    const records = capsRecords(states);
    expect(records.map((r) => r.groupId)).toEqual(['g-sent', 'g-unknown', 'g-waiting', 'g-tomorrow', 'g-old', 'g-own']);
    expect(Object.keys(records[0]!).sort()).toEqual(['claimedAt', 'groupId', 'notBefore', 'postId', 'priority', 'runId', 'sentAt', 'status']);
  });

  it('should date each delivery when it went out or will, judged at the time given, from `since` on and without the run being planned', () => {
    const records = capsHistory(capsRecords(states), now, 'r2', at('2026-12-03T02:00:00Z'));
    expect(records.map((e) => [e.groupId, e.at.toISOString()])).toEqual([
      ['g-sent', '2026-12-04T02:00:05.000Z'],
      ['g-unknown', '2026-12-04T02:00:07.000Z'],
      ['g-waiting', now.toISOString()],
      ['g-tomorrow', '2026-12-05T00:00:00.000Z'],
    ]);
    // the same records judged later: a post still waiting goes out then
    const later = at('2026-12-04T03:00:00Z');
    expect(capsHistory(capsRecords(states), later, 'r2', at('2026-12-03T02:00:00Z')).find((e) => e.groupId === 'g-waiting')!.at).toEqual(later);
  });
});
