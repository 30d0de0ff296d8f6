import { describe, expect, it } from 'vitest';
import { postVerdict } from '../../../src/delivery/post-verdict.js';

// 2026-11-25 14:00 in Asia/Shanghai
const afternoon = new Date('2026-11-25T14:00:00+08:00');
const night = new Date('2026-11-25T22:15:00+08:00');
const quiet = { from: '21:30', to: '07:30' };

describe('may a claimed post still go out', () => {
  it('should send a post of a running campaign, inside its validity and outside quiet hours', () => {
    expect(postVerdict({ validUntil: new Date('2026-11-30T23:59:59.999+08:00'), quiet }, {}, afternoon)).toEqual({ kind: 'send' });
    expect(postVerdict({}, {}, night)).toEqual({ kind: 'send' });
  });

  it('should skip a cancelled campaign\'s post, and one whose validity ended, for good', () => {
    expect(postVerdict({}, { campaign: 'cancelled' }, afternoon)).toEqual({ kind: 'skip', reason: 'campaign cancelled' });
    expect(postVerdict({ validUntil: new Date('2026-11-25T13:59:59+08:00') }, {}, afternoon)).toEqual({
      kind: 'skip',
      reason: 'post no longer valid (validUntil 2026-11-25T05:59:59.000Z) when its turn came',
    });
    // cancelled wins over paused-like holds: it is never sent, whatever else holds it
    expect(postVerdict({ quiet }, { campaign: 'cancelled' }, night).kind).toBe('skip');
  });

  it('should hold a paused campaign\'s post from now, and one reached in quiet hours until they end', () => {
    expect(postVerdict({}, { campaign: 'paused' }, afternoon)).toEqual({ kind: 'hold', until: afternoon, reason: 'campaign paused' });
    expect(postVerdict({ quiet }, {}, night)).toEqual({
      kind: 'hold',
      until: new Date('2026-11-26T07:30:00+08:00'),
      reason: 'quiet hours began before it was sent; due again when they end',
    });
  });

  it('should skip an expired post rather than hold it for a pause or for quiet hours', () => {
    const expired = { validUntil: new Date('2026-11-25T12:00:00+08:00'), quiet };
    expect(postVerdict(expired, { campaign: 'paused' }, night).kind).toBe('skip');
    expect(postVerdict(expired, {}, night).kind).toBe('skip');
  });

  it('should skip a post claimed before an officer paused its group, and send one claimed after (planned after a resume)', () => {
    const pausedAt = new Date('2026-11-25T13:59:00+08:00');
    expect(postVerdict({ claimedAt: new Date('2026-11-25T13:58:57+08:00') }, { groupPausedAt: pausedAt }, afternoon)).toEqual({ kind: 'skip', reason: 'group paused by an officer' });
    expect(postVerdict({ claimedAt: new Date('2026-11-25T13:59:30+08:00') }, { groupPausedAt: pausedAt }, afternoon)).toEqual({ kind: 'send' });
    expect(postVerdict({ claimedAt: new Date('2026-11-25T13:58:57+08:00') }, {}, afternoon)).toEqual({ kind: 'send' });
  });
});
