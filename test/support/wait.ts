import { vi } from 'vitest';

/** Retry an assertion until it holds (the simulator and the workers are asynchronous). */
export function waitFor<T>(fn: () => Promise<T> | T, timeout = 8000, interval = 40): Promise<T> {
  return vi.waitFor(fn, { timeout, interval });
}
