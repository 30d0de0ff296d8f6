import { describe, expect, it } from 'vitest';
import { claimRows } from '../../../src/campaigns/plan-run.js';
import type { ClaimAhead } from '../../../src/campaigns/plan-run.js';
import type { PlannedDelivery } from '../../../src/shared/outbox-records.js';

const now = new Date('2026-11-24T02:00:00Z');
const row = (botId: string, i: number, notBefore = now): PlannedDelivery => ({
  runId: 'r', campaignId: 'c', groupId: `g${botId}${i}`, roomId: `r${i}`, botId, postId: 'p', contentHash: 'h', text: 't', priority: 0, notBefore,
});
const ahead = (room: Record<string, number>): ClaimAhead => ({ room: (b) => room[b] ?? 0, claim: () => ({ workerId: 'w', at: now, leaseUntil: new Date(now.getTime() + 60_000) }) });
const claimed = (rows: PlannedDelivery[]) => rows.map((r) => (r.claim ? `${r.botId}${r.groupId.slice(2)}` : '-'));

describe('claiming at planning', () => {
  it('should claim each bot\'s first due rows up to its room, and leave the rest queued', () => {
    const rows = [row('a', 1), row('b', 1), row('a', 2), row('b', 2, new Date(now.getTime() + 1000)), row('a', 3), row('b', 3)];
    const c = claimRows(rows, ahead({ a: 2, b: 5 }));
    // a: room for two; b: its second row is not due yet, so it stays planned
    expect(claimed(rows)).toEqual(['a1', 'b1', 'a2', '-', '-', 'b3']);
    expect(c.claimed).toEqual(new Map([['a', 2], ['b', 2]]));
    expect(c.queued).toEqual(new Set(['a', 'b']));
  });

  it('should count what chunks still being written claimed, and claim nothing for a bot that has rows queued in them', () => {
    const earlier = { claimed: new Map([['a', 2]]), queued: new Set(['b']) };
    const rows = [row('a', 1), row('a', 2), row('b', 1), row('c', 1)];
    claimRows(rows, ahead({ a: 3, b: 5, c: 1 }), [earlier]);
    expect(claimed(rows)).toEqual(['a1', '-', '-', 'c1']);
  });
});
