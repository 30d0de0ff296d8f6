import { describe, expect, it } from 'vitest';
import { DEFAULT_LIVENESS, livenessAction, unlessAborted, within } from '../../../src/fleet/liveness.js';

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

  it('should end a call that waits for ever when the connection is given up, and leave an answered one alone', async () => {
    const gone = new AbortController();
    const forever = new Promise<string>(() => undefined);
    const waiting = unlessAborted(forever, gone.signal, () => new Error('went silent'));
    gone.abort();
    await expect(waiting).rejects.toThrow('went silent');
    await expect(unlessAborted(Promise.resolve('ok'), new AbortController().signal, () => new Error('x'))).resolves.toBe('ok');
    await expect(unlessAborted(Promise.reject(new Error('14 UNAVAILABLE')), new AbortController().signal, () => new Error('x'))).rejects.toThrow('14 UNAVAILABLE');
    await expect(unlessAborted(Promise.resolve('late'), gone.signal, () => new Error('already silent'))).rejects.toThrow('already silent');
  });

  it('should not wait for a stop or start past its limit', async () => {
    await expect(within(new Promise(() => undefined), 20, () => new Error('no answer within 0.02 s'))).rejects.toThrow('no answer within 0.02 s');
    await expect(within(Promise.resolve(3), 1000, () => new Error('x'))).resolves.toBe(3);
  });
});
