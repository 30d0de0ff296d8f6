import { describe, expect, it } from 'vitest';
import { addFaultSpec, unknownFaultBots } from '../../../src/sim/fault-spec.js';

describe('zhimi sim --fault', () => {
  it('should read each kind, several per bot', () => {
    let f = addFaultSpec('gulou-01:throttle=5');
    f = addFaultSpec('gulou-01:slow=800', f);
    f = addFaultSpec('minhou-01:error=网络异常', f);
    f = addFaultSpec('minhou-01:twice=on', f);
    f = addFaultSpec('cangshan-01:scan=on', f);
    f = addFaultSpec('cangshan-01:reid=on', f);
    expect(Object.fromEntries(f)).toEqual({
      'gulou-01': { throttleAbovePerMinute: 5, sendDelayMs: 800 },
      'minhou-01': { sendError: '网络异常', deliverTwice: true },
      'cangshan-01': { needsScan: true, newRoomIdsOnReconnect: true },
    });
  });

  it('should refuse a malformed spec, an unknown kind or a bad number, saying what is allowed', () => {
    expect(() => addFaultSpec('gulou-01 throttle 5')).toThrow(/is not <bot>:<kind>=<value>, e\.g\. gulou-01:throttle=5; kinds: throttle=<posts a minute>/);
    expect(() => addFaultSpec('gulou-01:throtle=5')).toThrow(/unknown fault "throtle"; kinds: throttle=/);
    expect(() => addFaultSpec('gulou-01:slow=fast')).toThrow(/slow must be a whole number of milliseconds \(got "fast"\)/);
    expect(() => addFaultSpec('gulou-01:twice=yes')).toThrow(/twice must be on or off \(got "yes"\)/);
    expect(() => addFaultSpec('gulou-01:scan=1')).toThrow(/scan must be on or off \(got "1"\)/);
  });

  it('should name bots the simulator does not run', () => {
    expect(unknownFaultBots(addFaultSpec('gulou-1:slow=5'), ['gulou-01', 'minhou-01'])).toEqual(['gulou-1']);
  });
});
