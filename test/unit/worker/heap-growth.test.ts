import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthPercent, limitHeapGrowth } from '../../../src/worker/heap-growth.js';

describe('the worker\'s heap growth', () => {
  it('should keep the heap to one and a half times what it holds unless ZHIMI_WORKER_HEAP_GROWTH says otherwise', () => {
    const set: string[] = [];
    expect(limitHeapGrowth({}, (f) => set.push(f))).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(limitHeapGrowth({ ZHIMI_WORKER_HEAP_GROWTH: '100' }, (f) => set.push(f))).toBe(100);
    expect(set).toEqual(['--heap-growing-percent=50', '--heap-growing-percent=100']);
  });

  it('should leave V8 its own growth with 0', () => {
    const set: string[] = [];
    expect(limitHeapGrowth({ ZHIMI_WORKER_HEAP_GROWTH: '0' }, (f) => set.push(f))).toBe(0);
    expect(set).toEqual([]);
  });

  it('should refuse anything but 0 or a whole number of percent from 10 to 300, naming the variable', () => {
    expect(heapGrowthPercent({ ZHIMI_WORKER_HEAP_GROWTH: '10' })).toBe(10);
    expect(heapGrowthPercent({ ZHIMI_WORKER_HEAP_GROWTH: '300' })).toBe(300);
    for (const given of ['-5', '1.5', 'half', '301', '5']) {
      const err = (() => {
        try {
          heapGrowthPercent({ ZHIMI_WORKER_HEAP_GROWTH: given });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('ZHIMI_WORKER_HEAP_GROWTH');
      expect((err as Error).message).toContain(JSON.stringify(given));
    }
  });

  it('should give V8 a flag it knows (an unknown one is ignored, with only a line on standard error)', () => {
    const set: string[] = [];
    limitHeapGrowth({}, (f) => set.push(f));
    const child = spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(set[0])})`], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(child.stdout + child.stderr).toBe('');
    // the check itself tells a typo
    const typo = spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString('--heap-growing-percnt=50')`], { encoding: 'utf8' });
    expect(typo.stdout + typo.stderr).toContain('unrecognized flag');
  });
});
