// Loaded into `zhimi sim` by bench/scale.ts (`--import`) when BENCH_MEM is set: the simulator's memory and pauses.
import { probeProcess } from './process-probe.js';

probeProcess('simulator', Number(process.env['BENCH_MEM']));
