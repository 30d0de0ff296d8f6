import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../src/config/paths.js';
import { openTestStore, testDbUri } from '../support/db.js';
import type { Store } from '../../src/store/connection.js';
import { listGroups, upsertSeenGroup } from '../../src/store/groups-repo.js';

function zhimi(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return zhimiWith({}, ...args);
}

function zhimiWith(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), ...args], { cwd: paths.root, encoding: 'utf8', env: { ...process.env, ZHIMI_LOG_LEVEL: 'silent', ...env } });
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

describe('campaign commands against the database', () => {
  let store: Store & { drop(): Promise<void> };
  const dir = mkdtempSync(join(tmpdir(), 'zhimi-draft-'));
  // a content folder of its own: the test writes a broken campaign file into it
  const content = join(dir, 'content');
  const db = (...args: string[]) => zhimiWith({ MONGODB_URI: testDbUri(import.meta.url) }, '--content-dir', content, ...args);
  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    cpSync(paths.content, content, { recursive: true });
  });
  afterAll(async () => {
    await store?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should run a campaign submitted from a file outside content/campaigns by its id (approve, preview, pause, cancel), a broken campaign file blocking no pause or cancel', () => {
    const file = join(dir, 'draft.yaml');
    writeFileSync(file, [
      'id: cli-elsewhere', 'name: 草稿目录里的活动', 'audience: { segments: [elderly], districts: [all] }', 'posts: { audiences: [elderly] }',
      'schedule: { cron: "0 0 10 * * 2", timezone: Asia/Shanghai }', 'window: { from: 2026-11-01 }', 'caps: { perGroupPerDay: 1, repeatPostAfterDays: 30 }', 'priority: normal', '',
    ].join('\n'));
    const submitted = db('campaign', 'submit', file, '--as', 'officer-gulou-wang');
    expect(submitted.status).toBe(0);
    expect(submitted.stdout).toContain('cli-elsewhere: submitted');
    expect(submitted.stdout).toMatch(/note: workers watch .*content\/campaigns\/cli-elsewhere\.yaml/);
    expect(db('campaign', 'approve', 'cli-elsewhere', '--as', 'officer-city-zheng').stdout.trim()).toBe('cli-elsewhere: approved');
    const preview = db('campaign', 'preview', 'cli-elsewhere', '--days', '8');
    expect(preview.status).toBe(0);
    expect(preview.stdout).toMatch(/^cli-elsewhere — 草稿目录里的活动\nruns in the next 8 days \(Asia\/Shanghai\): \d{4}-\d\d-\d\d 10:00/);
    // the watched file half-way through an edit does not block a pause
    writeFileSync(join(content, 'campaigns', 'cli-elsewhere.yaml'), 'id: cli-elsewhere\nname: [\n');
    const paused = db('campaign', 'pause', 'cli-elsewhere', '--as', 'officer-gulou-wang');
    expect(paused.stdout).toMatch(/^note: .*cli-elsewhere\.yaml:\d+: invalid YAML.*; pause applies to the version in the database\ncli-elsewhere: paused \(its posts not yet sent wait until it is resumed; workers notice within about a second\)\n$/);
    expect(db('campaign', 'cancel', 'cli-elsewhere', '--as', 'officer-gulou-wang', '--reason', '改期').stdout).toMatch(/; cancel applies to the version in the database\ncli-elsewhere: cancelled \(its posts not yet sent are skipped; workers notice within about a second\)\n$/);
    const unknown = db('campaign', 'preview', 'no-such-campaign');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no-such-campaign\.yaml: no such campaign file, and no campaign "no-such-campaign" in the database/);
  });

  it('should tag every pending group as suggested in one command, list the ones without a suggestion, and take only officers', async () => {
    const now = new Date();
    for (const [roomId, topic] of [['t1@chatroom', '仓山区金山街道老年反诈群'], ['t2@chatroom', '福州大学2025级反诈群'], ['t3@chatroom', '凤城警民联系群']]) {
      await upsertSeenGroup(store, { roomId: roomId!, topic: topic!, memberCount: 30, botId: 'a', memberSample: [] }, now);
    }
    expect(db('groups', 'tag', '--accept-suggestion', '--as', 'officer-gulou-wang').stderr).toMatch(/name a group .* or tag every pending one: --all-pending --accept-suggestion/);
    const stranger = db('groups', 'tag', '--all-pending', '--accept-suggestion', '--as', 'nobody');
    expect(stranger.status).toBe(2);
    expect(stranger.stderr).toMatch(/unknown user "nobody": users are the officers listed here/);
    const r = db('groups', 'tag', '--all-pending', '--accept-suggestion', '--as', 'officer-gulou-wang');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('仓山区金山街道老年反诈群: active, 仓山区');
    expect(r.stdout).toMatch(/tagged 2 pending group\(s\) as suggested; left pending, no suggestion \(tag them with --district and --segments\): 凤城警民联系群/);
    expect((await listGroups(store, { status: 'pending' })).map((g) => g.topic)).toEqual(['凤城警民联系群']);
    expect(new Set((await store.models.Group.find({ status: 'active' }).lean()).map((g) => g.taggedBy))).toEqual(new Set(['officer-gulou-wang']));
  });
});
