import { describe, expect, it } from 'vitest';
import { missedDueTimes } from '../../../src/campaigns/catch-up.js';

const at = (s: string) => new Date(`${s}+08:00`);
const daily = { schedule: { cron: '0 0 10 * * *', timezone: 'Asia/Shanghai' as const } };
const hourly = { schedule: { cron: '0 0 * * * *', timezone: 'Asia/Shanghai' as const } };

describe('missedDueTimes', () => {
  it('should send the due time nobody fired today, hours late', () => {
    expect(missedDueTimes(daily, { now: at('2026-12-01T13:00:00'), enabledAt: at('2026-11-20T09:00:00'), lastRunAt: at('2026-11-30T10:00:00') })).toEqual({ catchUp: at('2026-12-01T10:00:00'), missed: [] });
  });

  it('should find nothing when the last due time has its run, or came before the approval', () => {
    expect(missedDueTimes(daily, { now: at('2026-12-01T13:00:00'), enabledAt: at('2026-11-20T09:00:00'), lastRunAt: at('2026-12-01T10:00:00') })).toEqual({ missed: [] });
    expect(missedDueTimes(daily, { now: at('2026-12-01T13:00:00'), enabledAt: at('2026-12-01T11:00:00'), lastRunAt: undefined })).toEqual({ missed: [] });
  });

  it('should leave a due time of the last minute to its cron task', () => {
    expect(missedDueTimes(daily, { now: at('2026-12-01T10:00:30'), enabledAt: at('2026-11-20T09:00:00'), lastRunAt: at('2026-11-30T10:00:00') })).toEqual({ missed: [] });
  });

  it('should not send a due time older than the catch-up window, only report it', () => {
    expect(missedDueTimes(daily, { now: at('2026-12-01T17:00:00'), enabledAt: at('2026-11-20T09:00:00'), lastRunAt: at('2026-11-30T10:00:00') })).toEqual({ missed: [at('2026-12-01T10:00:00')] });
  });

  it('should send only the latest of several missed due times', () => {
    expect(missedDueTimes(hourly, { now: at('2026-12-01T11:30:00'), enabledAt: at('2026-11-20T09:00:00'), lastRunAt: at('2026-12-01T08:00:00') })).toEqual({
      catchUp: at('2026-12-01T11:00:00'),
      missed: [at('2026-12-01T09:00:00'), at('2026-12-01T10:00:00')],
    });
  });

  it('should send a one-off post whose time passed while no worker ran', () => {
    const once = { schedule: { at: at('2026-12-01T14:00:00') } };
    expect(missedDueTimes(once, { now: at('2026-12-01T14:20:00'), enabledAt: at('2026-12-01T09:00:00'), lastRunAt: undefined })).toEqual({ catchUp: at('2026-12-01T14:00:00'), missed: [] });
  });
});
