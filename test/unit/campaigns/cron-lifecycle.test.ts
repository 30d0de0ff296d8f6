import { describe, expect, it } from 'vitest';
import { nextCronTimes, parseCron } from '../../../src/campaigns/cron.js';
import { decideTransition } from '../../../src/campaigns/lifecycle.js';

describe('cron in Asia/Shanghai', () => {
  it('should give the next times in Shanghai wall time', () => {
    const p = parseCron('0 30 19 * * *');
    if (!p.ok) throw new Error(p.message);
    expect(nextCronTimes(p.fields, new Date('2026-11-25T19:30:00+08:00'), 2).map((d) => d.toISOString())).toEqual([
      new Date('2026-11-26T19:30:00+08:00').toISOString(),
      new Date('2026-11-27T19:30:00+08:00').toISOString(),
    ]);
  });
  it('should honour weekdays and an end', () => {
    const p = parseCron('0 0 10 * * 2,5');
    if (!p.ok) throw new Error(p.message);
    const times = nextCronTimes(p.fields, new Date('2026-11-24T00:00:00+08:00'), 10, new Date('2026-12-01T00:00:00+08:00'));
    expect(times.map((d) => d.toISOString())).toEqual([new Date('2026-11-24T10:00:00+08:00').toISOString(), new Date('2026-11-27T10:00:00+08:00').toISOString()]);
  });
  it('should explain what is wrong with an expression', () => {
    expect(parseCron('30 19 * * *')).toMatchObject({ ok: false, message: expect.stringMatching(/must have 6 fields/) });
    expect(parseCron('0 61 19 * * *')).toMatchObject({ ok: false, message: expect.stringMatching(/minute/) });
  });
});

describe('campaign lifecycle rules', () => {
  const officer = { id: 'lin', role: 'officer' as const };
  const approver = { id: 'zheng', role: 'approver' as const };
  it('should not let the author approve, even as an approver', () => {
    expect(decideTransition({ status: 'submitted', author: 'zheng' }, 'approve', approver)).toMatchObject({ ok: false, message: expect.stringMatching(/someone else/) });
  });
  it('should not let an officer approve', () => {
    expect(decideTransition({ status: 'submitted', author: 'lin' }, 'approve', { id: 'wang', role: 'officer' })).toMatchObject({ ok: false });
  });
  it('should let another approver approve, and the author pause', () => {
    expect(decideTransition({ status: 'submitted', author: 'lin' }, 'approve', approver)).toEqual({ ok: true, to: 'approved' });
    expect(decideTransition({ status: 'active', author: 'lin' }, 'pause', officer)).toEqual({ ok: true, to: 'paused' });
    expect(decideTransition({ status: 'active', author: 'lin' }, 'pause', { id: 'wang', role: 'officer' })).toMatchObject({ ok: false });
  });
  it('should keep activate and finish for the scheduler', () => {
    expect(decideTransition({ status: 'approved', author: 'lin' }, 'activate', { id: 'root', role: 'admin' })).toMatchObject({ ok: false, message: expect.stringMatching(/done by the scheduler/) });
  });
  it('should never leave a final state', () => {
    for (const a of ['submit', 'approve', 'activate', 'pause', 'resume', 'cancel'] as const) {
      expect(decideTransition({ status: 'cancelled', author: 'lin' }, a, { id: 'system', role: 'system' }).ok).toBe(false);
    }
  });
});
