import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/**
 * A process's memory (RSS, V8 heap, buffers) on standard error every `everyMs`, with the collector's pauses and
 * the event loop's delays in that time, each line starting with `label` (BENCH_MEM: the worker's and the
 * simulator's, to see which of them holds a run up).
 */
export function probeProcess(label: string, everyMs: number): void {
  const gc = { minor: 0, major: 0, ms: 0, longest: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const major = (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
      gc[major ? 'major' : 'minor']++;
      gc.ms += e.duration;
      gc.longest = Math.max(gc.longest, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  setInterval(() => {
    const memory = Object.entries(process.memoryUsage()).map(([k, v]) => `${k} ${Math.round(v / 1048576)}`).join(', ');
    const pauses = `gc ${gc.minor} minor, ${gc.major} major, ${Math.round(gc.ms)} ms (longest ${Math.round(gc.longest)})`;
    process.stderr.write(`${label} memory (MB): ${memory}; ${pauses}; event loop delay p99 ${Math.round(loop.percentile(99) / 1e6)} ms, max ${Math.round(loop.max / 1e6)} ms\n`);
    Object.assign(gc, { minor: 0, major: 0, ms: 0, longest: 0 });
    loop.reset();
  }, everyMs).unref();
}
