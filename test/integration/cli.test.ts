import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { paths } from '../../src/config/paths.js';

function zhimi(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), ...args], { cwd: paths.root, encoding: 'utf8', env: { ...process.env, ZHIMI_LOG_LEVEL: 'silent' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the zhimi command', () => {
  it('should pass content lint on the shipped library', () => {
    const r = zhimi('content', 'lint');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok: \d+ posts/);
  });

  it('should fail content lint on broken posts with exit code 5 and one line per problem', () => {
    const r = zhimi('content', 'lint', '--posts', 'test/fixtures/posts-bad');
    expect(r.status).toBe(5);
    expect(r.stdout.trim().split('\n')).toHaveLength(8);
  });

  it('should reject a malformed bots folder with exit code 2 naming file and field', () => {
    const r = zhimi('--bots-dir', 'test/fixtures/bots-bad', 'fleet', 'start');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/gulou-01\.yaml:7: limits\.minGapMs: must be ≥ 1000/);
  });

  it('should reject an invalid cron with file and field', () => {
    const r = zhimi('campaign', 'validate', 'test/fixtures/campaign-bad-cron.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/campaign-bad-cron\.yaml:4: schedule\.cron: must have 6 fields/);
  });
});
