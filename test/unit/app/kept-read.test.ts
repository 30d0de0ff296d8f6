import { describe, expect, it } from 'vitest';
import { KeptRead } from '../../../src/app/kept-read.js';
import { FakeClock } from '../../support/clock.js';

/** A read whose answers the test hands out: `reads` counts the reads started, `answer` ends the oldest one. */
function controlledRead(): { read: () => Promise<number>; reads: () => number; answer: (v: number) => Promise<void>; fail: (e: Error) => Promise<void> } {
  const waiting: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  let n = 0;
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return {
    read: () => {
      n++;
      return new Promise<number>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    reads: () => n,
    answer: async (v) => {
      waiting.shift()!.resolve(v);
      await settle();
    },
    fail: async (e) => {
      waiting.shift()!.reject(e);
      await settle();
    },
  };
}

describe('KeptRead', () => {
  it('should answer a fresh value as kept, and wait for a new read when reads are quick', async () => {
    const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
    let v = 1;
    const kept = new KeptRead(async () => v, { clock, freshMs: 10_000 });
    expect((await kept.get()).value).toBe(1);
    v = 2;
    clock.advance(9_999);
    expect((await kept.get()).value).toBe(1);
    clock.advance(1);
    const k = await kept.get();
    expect(k.value).toBe(2);
    expect(k.readAt.toISOString()).toBe('2026-12-01T10:00:10.000Z');
  });

  it('should answer the last value at once while one slow read replaces it, and say when that value was read', async () => {
    const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
    const r = controlledRead();
    // every read counts as slow
    const kept = new KeptRead(r.read, { clock, freshMs: 10_000, waitUnderMs: -1 });
    const first = kept.get();
    await r.answer(1);
    expect((await first).value).toBe(1);
    clock.advance(15_000);
    const stale = await kept.get();
    expect(stale).toEqual({ value: 1, readAt: new Date('2026-12-01T10:00:00Z') });
    expect(r.reads()).toBe(2);
    // one read at a time
    await kept.get();
    expect(r.reads()).toBe(2);
    await r.answer(2);
    expect(await kept.get()).toEqual({ value: 2, readAt: new Date('2026-12-01T10:00:15Z') });
  });

  it('should keep a patch of its own write through a read that started before it', async () => {
    const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
    const r = controlledRead();
    const kept = new KeptRead<number[]>(async () => [await r.read()], { clock, freshMs: Infinity, waitUnderMs: -1 });
    const first = kept.get();
    await r.answer(1);
    await first;
    kept.stale();
    expect((await kept.get()).value).toEqual([1]);
    kept.patch((xs) => (xs.includes(9) ? xs : [...xs, 9]));
    expect((await kept.get()).value).toEqual([1, 9]);
    await r.answer(2);
    expect((await kept.get()).value).toEqual([2, 9]);
  });

  it('should tell a failed background read, keep answering what it has, and read again on the next call', async () => {
    const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
    const r = controlledRead();
    const errors: unknown[] = [];
    const kept = new KeptRead(r.read, { clock, freshMs: 1_000, waitUnderMs: -1, onError: (e) => errors.push(e) });
    const first = kept.get();
    await r.answer(1);
    await first;
    clock.advance(2_000);
    expect((await kept.get()).value).toBe(1);
    await r.fail(new Error('database gone'));
    expect(errors).toHaveLength(1);
    expect((await kept.get()).value).toBe(1);
    expect(r.reads()).toBe(3);
  });

  it('should make a first call that fails reject, and the next call read again', async () => {
    const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
    let n = 0;
    const kept = new KeptRead(async () => {
      if (++n === 1) throw new Error('database gone');
      return n;
    }, { clock, freshMs: 1_000 });
    await expect(kept.get()).rejects.toThrow('database gone');
    expect((await kept.get()).value).toBe(2);
  });
});
