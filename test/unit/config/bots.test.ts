import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadFleetConfig, officersOf } from '../../../src/config/bots.js';
import { ConfigError } from '../../../src/config/errors.js';
import { paths } from '../../../src/config/paths.js';

const fixtures = join(paths.root, 'test', 'fixtures');

function problemsOf(dir: string): string[] {
  try {
    loadFleetConfig(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('loadFleetConfig', () => {
  it('should load the shipped bots with fleet defaults resolved', () => {
    const fleet = loadFleetConfig(paths.bots);
    expect(fleet.bots.map((b) => b.id).sort()).toEqual(['cangshan-01', 'gulou-01', 'minhou-01']);
    const gulou = fleet.bots.find((b) => b.id === 'gulou-01')!;
    expect(gulou.limits).toEqual({ minGapMs: 3000, jitterMs: 2000, perMinute: 40, perHour: 300, perDay: 1500 });
    expect(gulou.puppet.tokenEnv).toBe('ZHIMI_BOT_GULOU01_TOKEN');
    expect(officersOf(fleet, gulou).has('officer-gulou-wang')).toBe(true);
  });

  it('should name file, line and field of every problem in a malformed bot YAML', () => {
    const lines = problemsOf(join(fixtures, 'bots-bad'));
    const gulou = join(fixtures, 'bots-bad', 'gulou-01.yaml');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${gulou}:7: limits\\.minGapMs: must be ≥ 1000 ms.*\\(got 200\\)`)));
    expect(lines).toContainEqual(`${gulou}:3: puppet.tokenEnv: is required for wechaty-puppet-service: the name of the environment variable holding the token`);
    expect(lines).toContainEqual(expect.stringMatching(/broken\.yaml:\d+: invalid YAML: Flow sequence/));
    expect(lines).toContainEqual(expect.stringMatching(/fleet\.yaml:5: quietHours\.default\.to: must be HH:MM/));
  });

  it('should read how long a bot\'s puppet service may stay silent, or that it is not watched, and say what is allowed', () => {
    const fleet = loadFleetConfig(join(fixtures, 'bots-liveness'));
    expect(fleet.bots.find((b) => b.id === 'quiet-01')!.puppet.liveness).toBe('off');
    expect(fleet.bots.find((b) => b.id === 'slow-01')!.puppet.liveness).toEqual({ dingAfterSeconds: 30, lostAfterSeconds: 90 });
    expect(loadFleetConfig(paths.bots).bots.every((b) => b.puppet.liveness === undefined)).toBe(true); // the defaults: 10 s, 20 s
    const lines = problemsOf(join(fixtures, 'bots-liveness-bad'));
    expect(lines).toContainEqual(expect.stringMatching(/slow-01\.yaml:7: puppet\.liveness\.lostAfterSeconds: must be more than dingAfterSeconds \(30\)/));
    expect(lines).toContainEqual(expect.stringMatching(/quiet-01\.yaml:3: puppet\.liveness: must be off, or \{ dingAfterSeconds, lostAfterSeconds \} in whole seconds/));
  });

  it('should reject a bot whose id does not match its file name', () => {
    expect(problemsOf(join(fixtures, 'bots-dup'))).toContainEqual(expect.stringMatching(/a-01\.yaml: id: must match the file name "a-01" \(got "b-01"\)/));
  });

  it('should say where the folder should be when it is missing', () => {
    expect(problemsOf(join(fixtures, 'no-such-dir'))[0]).toMatch(/folder not found/);
  });
});
