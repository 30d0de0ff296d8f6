import { describe, expect, it } from 'vitest';
import { CallsUnderWay, DEFAULT_LIVENESS, livenessAction, livenessOf, within } from '../../../../src/channels/wechaty/liveness.js';

describe('a puppet service that goes silent', () => {
  it('should ask once after a short silence and give the connection up after a long one', () => {
    const limits = { dingAfterMs: 10_000, lostAfterMs: 20_000 };
    expect(livenessAction(9_999, false, limits)).toBe('none');
    expect(livenessAction(10_000, false, limits)).toBe('ding');
    expect(livenessAction(15_000, true, limits)).toBe('none');
    expect(livenessAction(20_000, true, limits)).toBe('lost');
    expect(livenessAction(25_000, false, limits)).toBe('lost');
    // lost, and its posts moved by the sweep, within the 30 s the fleet promises
    expect(DEFAULT_LIVENESS.lostAfterMs).toBeLessThan(30_000);
  });

  it('should take the limits from the bot\'s YAML, the defaults without them, and none when it is off', () => {
    const puppet = { name: 'wechaty-puppet-service', endpoint: '127.0.0.1:1', tokenEnv: 'T' };
    expect(livenessOf({ puppet })).toEqual(DEFAULT_LIVENESS);
    expect(livenessOf({ puppet: { ...puppet, liveness: { dingAfterSeconds: 30, lostAfterSeconds: 90 } } })).toEqual({ dingAfterMs: 30_000, lostAfterMs: 90_000 });
    expect(livenessOf({ puppet: { ...puppet, liveness: 'off' } })).toBeUndefined();
  });

  it('should end the calls under way when the connection is given up, and leave answered ones alone', async () => {
    const calls = new CallsUnderWay();
    const waiting = calls.guard(new Promise<string>(() => undefined), () => new Error('went silent'));
    const answered = calls.guard(Promise.resolve('ok'), () => new Error('x'));
    const refused = calls.guard(Promise.reject(new Error('14 UNAVAILABLE')), () => new Error('x'));
    await expect(answered).resolves.toBe('ok');
    await expect(refused).rejects.toThrow('14 UNAVAILABLE');
    calls.endAll();
    await expect(waiting).rejects.toThrow('went silent');
    // ended once: a later call is not ended by the earlier loss
    const later = calls.guard(new Promise<string>((resolve) => setTimeout(() => resolve('later'), 10)), () => new Error('x'));
    await expect(later).resolves.toBe('later');
  });

  it('should not wait for a stop or start past its limit', async () => {
    await expect(within(new Promise(() => undefined), 20, () => new Error('no answer within 0.02 s'))).rejects.toThrow('no answer within 0.02 s');
    await expect(within(Promise.resolve(3), 1000, () => new Error('x'))).resolves.toBe(3);
  });
});
