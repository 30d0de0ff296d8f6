import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/logger.js';

/** A logger whose lines are kept in memory, to assert on (e.g. that no token is logged). */
export function captureLogger(level = 'debug'): { log: Logger; lines: () => string[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const log = createLogger({ level, destination: stream as never });
  return { log, lines: () => chunks.join('').split('\n').filter(Boolean), text: () => chunks.join('') };
}
