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

  it('should reject a bot whose id does not match its file name', () => {
    expect(problemsOf(join(fixtures, 'bots-dup'))).toContainEqual(expect.stringMatching(/a-01\.yaml: id: must match the file name "a-01" \(got "b-01"\)/));
  });

  it('should say where the folder should be when it is missing', () => {
    expect(problemsOf(join(fixtures, 'no-such-dir'))[0]).toMatch(/folder not found/);
  });
});
