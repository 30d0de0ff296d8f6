import { describe, expect, it } from 'vitest';
import { nextCronTimes, parseCron } from '../../../src/campaigns/cron.js';
import { decideTransition } from '../../../src/campaigns/lifecycle.js';
import { SYSTEM_ACTOR, type Actor, type Role, type Scope } from '../../../src/shared/permissions.js';

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

describe('campaign lifecycle rules (roles, scope, four eyes)', () => {
  const city = { kind: 'city' } as const;
  const person = (id: string, roles: Role[], scope: Scope = city): Actor => ({ id, name: id, roles, scope, via: 'session' });
  const drafter = person('lin', ['drafter']);
  const reviewer = person('zheng', ['reviewer', 'drafter']);
  const publisher = person('wu', ['publisher']);
  const all = ['all'];
  it('should not let whoever submitted the version approve it, even as a reviewer', () => {
    expect(decideTransition({ status: 'submitted', authors: ['zheng'], districts: all }, 'approve', reviewer)).toMatchObject({ ok: false, forbidden: true, message: expect.stringMatching(/someone else/) });
  });
  it('should not let a reviewer approve a version after theirs, whoever submitted last', () => {
    expect(decideTransition({ status: 'submitted', authors: ['zheng', 'lin'], districts: all }, 'approve', reviewer)).toMatchObject({ ok: false, forbidden: true });
    expect(decideTransition({ status: 'submitted', authors: ['zheng', 'lin'], districts: all }, 'reject', reviewer)).toMatchObject({ ok: false, forbidden: true });
  });
  it('should not let a drafter approve', () => {
    expect(decideTransition({ status: 'submitted', authors: ['lin'], districts: all }, 'approve', person('wang', ['drafter']))).toMatchObject({ ok: false, forbidden: true });
  });
  it('should let another reviewer approve, and a publisher pause', () => {
    expect(decideTransition({ status: 'submitted', authors: ['lin'], districts: all }, 'approve', reviewer)).toEqual({ ok: true, to: 'approved' });
    expect(decideTransition({ status: 'active', authors: ['lin'], districts: all }, 'pause', publisher)).toEqual({ ok: true, to: 'paused' });
    expect(decideTransition({ status: 'active', authors: ['lin'], districts: all }, 'pause', drafter)).toMatchObject({ ok: false });
  });
  it('should keep a district-scoped person to their district', () => {
    const gulou = person('wang', ['drafter', 'publisher'], { kind: 'district', district: '鼓楼区' });
    expect(decideTransition({ status: 'draft', districts: ['鼓楼区'] }, 'submit', gulou)).toEqual({ ok: true, to: 'submitted' });
    expect(decideTransition({ status: 'draft', districts: ['all'] }, 'submit', gulou)).toMatchObject({ ok: false, message: expect.stringMatching(/outside it/) });
    expect(decideTransition({ status: 'active', districts: ['仓山区'] }, 'pause', gulou)).toMatchObject({ ok: false });
  });
  it('should keep activate and finish for the scheduler', () => {
    expect(decideTransition({ status: 'approved', authors: ['lin'], districts: all }, 'activate', person('root', ['admin']))).toMatchObject({ ok: false, message: expect.stringMatching(/done by the scheduler/) });
    expect(decideTransition({ status: 'approved', authors: ['lin'], districts: all }, 'activate', SYSTEM_ACTOR)).toEqual({ ok: true, to: 'active' });
  });
  it('should never leave a final state', () => {
    for (const a of ['approve', 'activate', 'pause', 'resume', 'cancel'] as const) {
      expect(decideTransition({ status: 'cancelled', authors: ['lin'], districts: all }, a, SYSTEM_ACTOR).ok).toBe(false);
    }
  });
});
