import { describe, expect, it } from 'vitest';
import { JoinedCalls } from '../../../src/shared/joined-calls.js';

describe('JoinedCalls: calls made while one runs go together next', () => {
  it('should run the first call alone and join every call made meanwhile into one run, each caller getting its run\'s result', async () => {
    const runs: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const j = new JoinedCalls(async (items: number[]) => {
      runs.push(items);
      if (runs.length === 1) await gate;
      return items.length;
    });
    const first = j.add([1]);
    const later = [j.add([2, 3]), j.add([4]), j.add([])];
    release();
    expect(await first).toBe(1);
    expect(await Promise.all(later)).toEqual([3, 3, 3]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it('should reject the callers of a failed run only, and run the next calls', async () => {
    let fail = true;
    const j = new JoinedCalls(async (items: string[]) => {
      if (fail) {
        fail = false;
        throw new Error('database out of reach');
      }
      return items.join(',');
    });
    const failed = j.add(['a']);
    const next = j.add(['b']);
    await expect(failed).rejects.toThrow('database out of reach');
    expect(await next).toBe('b');
  });

  it('should let a run wait for calls known to be coming before it takes what waits', async () => {
    const runs: number[][] = [];
    let coming!: () => void;
    const arrived = new Promise<void>((resolve) => (coming = resolve));
    const j = new JoinedCalls(async (items: number[]) => (runs.push(items), items.length), () => arrived);
    const first = j.add([1]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = j.add([2, 3]);
    expect(runs).toEqual([]);
    coming();
    expect(await Promise.all([first, second])).toEqual([3, 3]);
    expect(runs).toEqual([[1, 2, 3]]);
  });
});
