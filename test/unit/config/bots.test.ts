import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadFleetConfig } from '../../../src/config/bots.js';
import { ConfigError } from '../../../src/config/errors.js';
import { paths } from '../../../src/config/paths.js';
import { botSchema } from '../../../src/config/bots-schema.js';

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
  });

  it('should refuse a role or an invitation list in bots/: authority comes from users only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhimi-bots-'));
    cpSync(join(paths.root, 'bots'), dir, { recursive: true });
    appendFileSync(join(dir, 'fleet.yaml'), '  - { id: mallory, name: 马某, role: admin }\n');
    appendFileSync(join(dir, 'gulou-01.yaml'), 'acceptInvitesFrom: [mallory]\n');
    const lines = problemsOf(dir);
    expect(lines).toContainEqual(expect.stringMatching(/fleet\.yaml:\d+: officers\.4\.role: is no longer read: who may approve, invite bots or command them is decided by users \(zhimi users add/));
    expect(lines).toContainEqual(expect.stringMatching(/gulou-01\.yaml:\d+: acceptInvitesFrom: is no longer read/));
    rmSync(dir, { recursive: true, force: true });
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

  it('should load only allow-listed puppet packages, naming file, line and field of any other', () => {
    const dir = join(fixtures, 'bots-hostile');
    const lines = problemsOf(dir);
    expect(lines).toContainEqual(expect.stringMatching(/evil-01\.yaml:4: puppet\.name: must be the npm name of a Wechaty puppet package, e\.g\. wechaty-puppet-service: a path, URL or data: text is never loaded \(got "data:text\/javascript,/));
    expect(lines).toContainEqual(expect.stringMatching(/path-01\.yaml:3: puppet\.name: must be the npm name of a Wechaty puppet package.*\(got "\.\.\/\.\.\/\.\.\/tmp\/evil\.js"\)/));
    expect(lines).toContainEqual(expect.stringMatching(/other-01\.yaml:4: puppet\.name: puppet "wechaty-puppet-padlocal" is not allowed: one of wechaty-puppet-service, wechaty-puppet-mock; another puppet package only when its npm name is listed in ZHIMI_ALLOWED_PUPPETS$/));
    expect(lines.filter((l) => l.includes('mock-01'))).toEqual([]);
    // listed in ZHIMI_ALLOWED_PUPPETS, the package may load; a path there is refused
    let listed: string[] = [];
    try {
      loadFleetConfig(dir, { ZHIMI_ALLOWED_PUPPETS: 'wechaty-puppet-padlocal' });
    } catch (err) {
      listed = (err as ConfigError).message.split('\n');
    }
    expect(listed.some((l) => l.includes('other-01'))).toBe(false);
    expect(listed.some((l) => l.includes('evil-01'))).toBe(true);
    expect(() => loadFleetConfig(paths.bots, { ZHIMI_ALLOWED_PUPPETS: './evil.js' })).toThrow(/ZHIMI_ALLOWED_PUPPETS: must list npm package names/);
  });

  it('should read a puppet service\'s CA file and server name, or an explicit insecure', () => {
    expect(botSchema.shape.puppet.safeParse({ name: 'wechaty-puppet-service', endpoint: 'p:1', tokenEnv: 'T', tls: { caFile: 'ca.pem', serverName: 'puppet.example.gov.cn' } }).success).toBe(true);
    expect(botSchema.shape.puppet.safeParse({ name: 'wechaty-puppet-service', endpoint: 'p:1', tokenEnv: 'T', tls: 'insecure' }).success).toBe(true);
    expect(botSchema.shape.puppet.safeParse({ name: 'wechaty-puppet-service', endpoint: 'p:1', tokenEnv: 'T', tls: 'off' }).error?.issues[0]?.message).toMatch(/must be \{ caFile, serverName \}/);
  });

  it('should say where the folder should be when it is missing', () => {
    expect(problemsOf(join(fixtures, 'no-such-dir'))[0]).toMatch(/folder not found/);
  });
});
