import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../src/config/paths.js';
import { openTestStore } from '../support/db.js';
import { addPeople, listeningApi, tokenOf } from '../support/api.js';
import { testContext } from '../support/people.js';
import { captureLogger } from '../support/log.js';
import { systemClock } from '../../src/config/clock.js';
import type { Store } from '../../src/store/connection.js';
import { listGroups, upsertSeenGroup } from '../../src/store/groups-repo.js';

function zhimi(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return zhimiWith({}, ...args);
}

function zhimiWith(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), ...args], { cwd: paths.root, encoding: 'utf8', env: { ...process.env, ZHIMI_LOG_LEVEL: 'silent', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function zhimiAsync(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), ...args], { cwd: paths.root, env: { ...process.env, ZHIMI_LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
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

describe('commands that act as a signed-in user, through the API', () => {
  let store: Store & { drop(): Promise<void> };
  let api: Awaited<ReturnType<typeof listeningApi>>;
  const tokens: Record<string, string> = {};
  const dir = mkdtempSync(join(tmpdir(), 'zhimi-cli-'));
  // a config folder of its own: no stored credentials of the machine leak in
  // spawned without blocking: the API answering it runs in this process
  const as = (user: string | undefined, ...args: string[]) =>
    zhimiAsync({ XDG_CONFIG_HOME: dir, ZHIMI_API_URL: api.url, ...(user ? { ZHIMI_TOKEN: tokens[user] } : { ZHIMI_TOKEN: '' }) }, ...args);
  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    const ctx = testContext(store, systemClock, captureLogger('warn').log);
    await addPeople(ctx, [
      { id: 'wang.gulou', name: '王警官', roles: ['drafter', 'publisher', 'operator'], scope: '鼓楼区' },
      { id: 'zheng.city', name: '郑科长', roles: ['reviewer'] },
      { id: 'chen.cangshan', name: '陈警官', roles: ['drafter', 'operator'], scope: '仓山区' },
    ]);
    for (const u of ['wang.gulou', 'zheng.city', 'chen.cangshan']) tokens[u] = await tokenOf(ctx, u);
    api = await listeningApi(ctx);
  });
  afterAll(async () => {
    await api?.close();
    await store?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should submit a campaign file, refuse its drafter\'s approval, take a second person\'s for the version they saw, then pause and cancel it with a reason in its trail', async () => {
    const file = join(dir, 'draft.yaml');
    writeFileSync(file, [
      'id: cli-elsewhere', 'name: 草稿目录里的活动', 'audience: { segments: [elderly], districts: [鼓楼区] }', 'posts: { audiences: [elderly] }',
      'schedule: { cron: "0 0 10 * * 2", timezone: Asia/Shanghai }', 'window: { from: 2026-11-01 }', 'caps: { perGroupPerDay: 1, repeatPostAfterDays: 30 }', 'priority: normal', '',
    ].join('\n'));
    expect(await as(undefined, 'campaign', 'submit', file)).toMatchObject({ status: 7, stderr: expect.stringMatching(/not signed in: run `zhimi login`/) });
    expect(await as('wang.gulou', 'campaign', 'submit', file, '--as', 'zheng.city')).toMatchObject({ status: 2, stderr: expect.stringMatching(/unknown option '--as'/) });
    const submitted = await as('wang.gulou', 'campaign', 'submit', file, '--reason', '重阳节前提醒');
    expect(submitted.status).toBe(0);
    expect(submitted.stdout).toMatch(/^cli-elsewhere: submitted, version 1 \(submitted by wang\.gulou\); a reviewer other than you approves it/m);
    const own = await as('wang.gulou', 'campaign', 'approve', 'cli-elsewhere', '--version', '1');
    expect(own.status).toBe(7);
    expect(own.stderr).toMatch(/ZHIMI_E_FORBIDDEN/);
    const review = await as('zheng.city', 'campaign', 'review', 'cli-elsewhere');
    expect(review.stdout).toMatch(/^cli-elsewhere version 1: submitted, submitted by wang\.gulou at .* \(重阳节前提醒\)/);
    expect(review.stdout).toMatch(/you may approve it: zhimi campaign approve cli-elsewhere --version 1/);
    expect((await as('zheng.city', 'campaign', 'approve', 'cli-elsewhere', '--version', '1')).stdout.trim()).toMatch(/^cli-elsewhere: approved \(version 1\)/);
    const preview = await as('wang.gulou', 'campaign', 'preview', 'cli-elsewhere', '--days', '8');
    expect(preview.status).toBe(0);
    expect(preview.stdout).toMatch(/^cli-elsewhere — 草稿目录里的活动\nruns in the next 8 days \(Asia\/Shanghai\): \d{4}-\d\d-\d\d 10:00/);
    expect((await as('wang.gulou', 'campaign', 'pause', 'cli-elsewhere')).stdout).toMatch(/^cli-elsewhere: paused/);
    expect((await as('wang.gulou', 'campaign', 'cancel', 'cli-elsewhere', '--reason', '改期')).stdout).toMatch(/^cli-elsewhere: cancelled/);
    const status = await as('zheng.city', 'campaign', 'status', 'cli-elsewhere');
    expect(status.stdout).toMatch(/cli-elsewhere — 草稿目录里的活动: cancelled \(version 1 submitted by wang\.gulou; approved version 1 by zheng\.city\)/);
    for (const step of [/王警官 +submit +1 +重阳节前提醒/, /郑科长 +approve +1/, /王警官 +pause/, /王警官 +cancel +1 +改期/]) expect(status.stdout).toMatch(step);
    // another district's officer may not look into it
    expect(await as('chen.cangshan', 'campaign', 'status', 'cli-elsewhere')).toMatchObject({ status: 7, stderr: expect.stringMatching(/\[ZHIMI_E_FORBIDDEN\] 陈警官 works for 仓山区: an audience of 鼓楼区 is outside it/) });
    const unknown = await as('wang.gulou', 'campaign', 'preview', 'no-such-campaign');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no campaign "no-such-campaign"/);
  }, 180_000);

  it('should tag the pending groups of the officer\'s district as suggested in one command and leave the rest to others', async () => {
    const now = new Date();
    for (const [roomId, topic] of [['t1@chatroom', '鼓楼区温泉街道老年反诈群'], ['t2@chatroom', '仓山区金山街道老年反诈群'], ['t3@chatroom', '凤城警民联系群']]) {
      await upsertSeenGroup(store, { roomId: roomId!, topic: topic!, memberCount: 30, botId: 'a', sample: '' }, now);
    }
    expect((await as('wang.gulou', 'groups', 'tag', '--accept-suggestion')).stderr).toMatch(/name a group .* or tag every pending one: --all-pending --accept-suggestion/);
    const r = await as('wang.gulou', 'groups', 'tag', '--all-pending', '--accept-suggestion');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('鼓楼区温泉街道老年反诈群: active, 鼓楼区');
    expect(r.stdout).not.toContain('仓山区金山街道老年反诈群');
    expect(r.stdout).toMatch(/tagged 1 pending group\(s\) as suggested/);
    const other = await as('wang.gulou', 'groups', 'tag', '仓山区金山街道老年反诈群', '--accept-suggestion');
    expect(other.status).toBe(7);
    expect(other.stderr).toMatch(/仓山区/);
    expect((await as('chen.cangshan', 'groups', 'tag', '--all-pending', '--accept-suggestion')).stdout).toContain('仓山区金山街道老年反诈群: active, 仓山区');
    expect((await listGroups(store, { status: 'pending' })).map((g) => g.topic)).toEqual(['凤城警民联系群']);
    expect(new Set((await store.models.Group.find({ status: 'active' }).lean()).map((g) => g.taggedBy))).toEqual(new Set(['wang.gulou', 'chen.cangshan']));
  }, 120_000);
});
