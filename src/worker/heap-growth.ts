import { setFlagsFromString } from 'node:v8';
import { ConfigError } from '../config/errors.js';

/** How far the worker's heap may grow past what it holds before V8 collects it, in percent, unless ZHIMI_WORKER_HEAP_GROWTH says otherwise. */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50;

/**
 * The worker's heap growth (ZHIMI_WORKER_HEAP_GROWTH, percent; README:
 * Configuration). A sending worker allocates fast (each post's gRPC calls and
 * database writes), and V8 then lets its heap grow to up to four times what it
 * holds before a full collection: 1.5 GB for a worker of 200 bots in 69,000
 * groups that holds 300 to 580 MB. 50 % keeps it to one and a half times, at
 * the cost of more frequent collections; 0 leaves V8 its own growth.
 * Anything but 0 or a whole number from 10 to 300 is refused with a
 * ConfigError (below 10 the worker would do little but collect).
 */
export function heapGrowthPercent(env: NodeJS.ProcessEnv): number {
  const given = env['ZHIMI_WORKER_HEAP_GROWTH'];
  if (given === undefined || given === '') return DEFAULT_HEAP_GROWTH_PERCENT;
  const percent = Number(given);
  if (!/^\d+$/.test(given.trim()) || percent > 300 || (percent > 0 && percent < 10)) {
    throw new ConfigError([{ file: 'environment', field: 'ZHIMI_WORKER_HEAP_GROWTH', message: `must be 0 (V8's own growth) or a whole number of percent from 10 to 300 (got ${JSON.stringify(given)})` }]);
  }
  return percent;
}

/**
 * Set this process's heap growth (V8's `--heap-growing-percent`, read at every
 * full collection, so it takes effect while the process runs). Returns the
 * percent set, or 0 when V8 keeps its own.
 */
export function limitHeapGrowth(env: NodeJS.ProcessEnv = process.env, setFlags: (flags: string) => void = setFlagsFromString): number {
  const percent = heapGrowthPercent(env);
  if (percent > 0) setFlags(`--heap-growing-percent=${percent}`);
  return percent;
}
