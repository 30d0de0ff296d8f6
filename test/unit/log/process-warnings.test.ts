import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { quietHarmlessWarnings } from '../../../src/log/process-warnings.js';

describe('process warnings', () => {
  it('should leave out grpc-js\'s notice about start() and pass every other warning to the listener before', () => {
    const proc = new EventEmitter();
    const printed: string[] = [];
    proc.on('warning', (w: Error) => printed.push(`${w.name}: ${w.message}`));
    quietHarmlessWarnings(proc);
    quietHarmlessWarnings(proc); // once per process, however often it is called
    const deprecation = Object.assign(new Error('Calling start() is no longer necessary. It can be safely omitted.'), { name: 'DeprecationWarning' });
    proc.emit('warning', deprecation);
    proc.emit('warning', Object.assign(new Error('Possible EventEmitter memory leak detected. 11 exit listeners added'), { name: 'MaxListenersExceededWarning' }));
    proc.emit('warning', Object.assign(new Error('Calling stop() is deprecated'), { name: 'DeprecationWarning' }));
    expect(printed).toEqual(['MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 11 exit listeners added', 'DeprecationWarning: Calling stop() is deprecated']);
    expect(proc.listenerCount('warning')).toBe(1);
  });
});
