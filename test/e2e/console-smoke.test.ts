import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { join } from 'node:path';
import { openTestStore } from '../support/db.js';
import { captureLogger } from '../support/log.js';
import { addPeople, listeningApi, TEST_PASSWORD } from '../support/api.js';
import { DRAFTER, submitFile, testContext } from '../support/people.js';
import { shanghaiDay, shiftDay, systemClock } from '../../src/config/clock.js';
import { insertTip } from '../../src/store/tips-repo.js';
import { paths } from '../../src/config/paths.js';
import { tagGroup, upsertSeenGroup } from '../../src/store/groups-repo.js';
import type { Store } from '../../src/store/connection.js';
import { CONSOLE_DIST, DESKTOP, PHONE, ensureConsoleBuilt, field, launchChromium, overflowX, screenshot, settled, signIn } from './support/browser.js';

/**
 * Every page of the console in real Chromium, signed in as an admin, at a
 * desktop's and a phone's size: it renders its heading, the phone page never
 * scrolls sideways, and a screenshot of each goes to test-results/screenshots/.
 */
describe('the console in a browser', () => {
  let store: Store & { drop(): Promise<void> };
  let api: Awaited<ReturnType<typeof listeningApi>>;
  let browser: Browser;
  let groupId = '';

  beforeAll(async () => {
    await ensureConsoleBuilt();
    store = await openTestStore(import.meta.url);
    const ctx = testContext(store, systemClock, captureLogger('warn').log);
    await addPeople(ctx, [
      { id: 'root', name: '管理员', roles: ['admin'] },
      { id: 'lin', name: '林警官', roles: ['drafter'] },
    ]);
    const districts = ['鼓楼区', '仓山区', '台江区', '晋安区'];
    for (let i = 0; i < 24; i++) {
      const district = districts[i % districts.length]!;
      const topic = i < 18 ? `${district}第${i + 1}社区老年反诈群` : `${district}${i}号小区邻里群`;
      const { group } = await upsertSeenGroup(store, { roomId: `r${i}@chatroom`, topic, memberCount: 80 + i * 7, botId: 'gulou-01', sample: '' }, systemClock.now());
      if (i < 18) await tagGroup(store, group.roomId, { district, segments: [i % 3 ? 'elderly' : 'general'], taggedBy: 'setup' });
      if (i === 0) groupId = group.id;
    }
    await submitFile(ctx, { ...DRAFTER, name: '林警官' }, join(paths.content, 'campaigns', 'elderly-weekly.yaml'));
    // residents' scam checks: a few a day, and a wave of fake-police calls in 鼓楼区 today (a spike)
    const now = systemClock.now();
    const today = shanghaiDay(now);
    const tip = (day: string, at: Date, district: string, type: string, text: string) =>
      insertTip(store, { at, day, channel: 'group', district, segments: ['elderly'], text, chars: text.length, type, risk: 'high', score: 0.9, signals: ['转账'] });
    for (let d = 1; d <= 3; d++) await tip(shiftDay(today, -d), new Date(now.getTime() - d * 86_400_000), '仓山区', 'fake-cs', '有人说我快递丢了要赔钱，让我加QQ***，是真的吗');
    for (let i = 0; i < 6; i++) await tip(today, now, '鼓楼区', 'police', '自称公安局的人打电话说我涉嫌洗钱，要我把钱转到安全账户 ***，是真的吗');
    api = await listeningApi(ctx, { consoleDir: CONSOLE_DIST });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await store?.drop();
  });

  const pages = (): { name: string; path: string; heading: RegExp }[] => [
    { name: 'dashboard', path: '/', heading: /^总览$/ },
    { name: 'campaigns', path: '/campaigns', heading: /^活动$/ },
    { name: 'campaign-detail', path: '/campaigns/elderly-weekly', heading: /长者防骗每周提醒/ },
    { name: 'campaign-editor', path: '/campaigns/new', heading: /^新建活动$/ },
    { name: 'review', path: '/review', heading: /^审批$/ },
    { name: 'review-version', path: '/review/elderly-weekly/1', heading: /审批：elderly-weekly v1/ },
    { name: 'urgent', path: '/urgent', heading: /^紧急预警$/ },
    { name: 'content', path: '/content', heading: /^内容库$/ },
    { name: 'groups', path: '/groups', heading: /^群组$/ },
    { name: 'group-detail', path: `/groups/${encodeURIComponent(groupId)}`, heading: /鼓楼区第1社区老年反诈群/ },
    { name: 'fleet', path: '/fleet', heading: /^机器人$/ },
    { name: 'analytics', path: '/analytics', heading: /^报表$/ },
    { name: 'tips', path: '/tips', heading: /^线索$/ },
    { name: 'audit', path: '/audit', heading: /^审计$/ },
    { name: 'users', path: '/users', heading: /^用户$/ },
  ];

  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    it(`should render every page at ${viewport.width}×${viewport.height}${size === 'phone' ? ' without sideways scrolling' : ''}`, async () => {
      const context: BrowserContext = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...(size === 'phone' ? { isMobile: true, hasTouch: true } : {}) });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('response', (r) => {
        if (r.url().includes('/api/') && (r.status() >= 500 || r.status() === 401)) problems.push(`${r.status()} ${r.url()}`);
      });
      try {
        await page.goto(`${api.url}/campaigns`);
        await page.waitForURL(/\/login\?next=/); // not signed in: to sign-in, and back after
        await settled(page);
        await screenshot(page, `login-${size}`);
        if (size === 'phone') expect((await overflowX(page)).scrollWidth).toBeLessThanOrEqual(PHONE.width);
        await field(page, 'login-user').fill('root');
        await field(page, 'login-password').fill(TEST_PASSWORD);
        await page.locator('[data-test="login-submit"]').click();
        await page.waitForURL((u) => u.pathname === '/campaigns');
        problems.length = 0; // the 401 before signing in was expected

        for (const p of pages()) {
          await page.goto(`${api.url}${p.path}`);
          await settled(page);
          await expect.poll(() => page.locator('[data-test="page-title"]').first().innerText(), { message: `${p.name}: its heading (${problems.join(", ")})`, timeout: 10_000 }).toMatch(p.heading);
          await screenshot(page, `${p.name}-${size}`);
          if (size === 'phone') {
            const o = await overflowX(page);
            expect(o.scrollWidth, `${p.name} scrolls sideways at 390 px: ${o.culprits.join(', ')}`).toBeLessThanOrEqual(PHONE.width);
          }
        }
        if (size === 'phone') {
          // the menu is a drawer behind the top bar's button
          await page.locator('[data-test="menu-button"]').click();
          await page.locator('.el-drawer [data-test="nav-groups"]').waitFor();
          await page.waitForTimeout(400);
          await screenshot(page, 'menu-phone');
          await page.locator('.el-drawer [data-test="nav-groups"]').click();
          await page.waitForURL((u) => u.pathname === '/groups');
        }
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }, 240_000);
  }

  it('should sign a drafter in and show only the pages their role may use', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    try {
      await signIn(page, api.url, 'lin', TEST_PASSWORD);
      await settled(page);
      const nav = await page.locator('[data-test^="nav-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-test')));
      expect(nav).toContain('nav-campaigns');
      expect(nav).not.toContain('nav-users');
      expect(nav).not.toContain('nav-audit');
      expect(nav).not.toContain('nav-review');
      // the drafter's own submission: no approve button, and why
      await page.goto(`${api.url}/review/elderly-weekly/1`);
      await settled(page);
      await expect.poll(() => page.locator('[data-test="review-approve"]').count()).toBe(0);
      await expect.poll(() => page.locator('[data-test="review-why-not"]').count()).toBe(1);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('should let a drafter build a campaign in the form and submit it, and an admin approve it from the inbox', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await signIn(page, api.url, 'lin', TEST_PASSWORD);
      await page.goto(`${api.url}/campaigns/new`);
      await settled(page);
      await field(page, 'field-id').fill('smoke-elderly');
      await field(page, 'field-name').fill('长者防骗 表单测试');
      await page.locator('[data-test="field-segments"] label', { hasText: '老年' }).click();
      await page.locator('[data-test="post-list"] .post-row .el-checkbox').first().click();
      await page.locator('[data-test="check-ok"]').waitFor({ timeout: 15_000 });
      expect(Number(await page.locator('[data-test="audience-groups"]').innerText())).toBe(12); // the tagged elderly groups
      expect(await page.locator('[data-test="due-times"] li').count()).toBe(5);
      expect(await page.locator('[data-test="post-preview"] [data-test="phone-preview"]').count()).toBeGreaterThan(0);
      await page.locator('[data-test="save-draft"]').click();
      await page.locator('.el-message--success').waitFor({ timeout: 10_000 });
      await page.locator('[data-test="submit"]').click();
      await field(page, 'reason-input').fill('表单测试');
      await page.locator('[data-test="reason-confirm"]').click();
      await page.waitForURL((u) => u.pathname === '/campaigns/smoke-elderly', { timeout: 15_000 });
      await settled(page);
      await page.context().clearCookies();

      await signIn(page, api.url, 'root', TEST_PASSWORD);
      await page.goto(`${api.url}/review`);
      await settled(page);
      await page.locator('[data-test="review-smoke-elderly"]').click();
      await page.waitForURL(/\/review\/smoke-elderly\/1$/);
      await settled(page);
      await page.locator('[data-test="review-approve"]').click();
      await page.locator('[data-test="reason-confirm"]').click();
      await page.waitForURL((u) => u.pathname === '/campaigns/smoke-elderly', { timeout: 15_000 });
      await settled(page);
      await expect.poll(() => page.locator('.page-head [data-status]').first().getAttribute('data-status')).toMatch(/approved|active/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('should estimate an urgent alert prefilled from a tip spike\'s districts and segments', async () => {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    try {
      await signIn(page, api.url, 'root', TEST_PASSWORD);
      await page.goto(`${api.url}/tips`);
      await settled(page);
      await page.locator('[data-test="spike-police-鼓楼区"] [data-test="spike-draft-alert"]').click();
      await page.waitForURL((u) => u.pathname === '/urgent');
      expect(new URL(page.url()).searchParams.get('districts')).toBe('鼓楼区');
      await settled(page);
      await expect.poll(() => page.locator('[data-test="urgent-segments"] .is-checked').count()).toBeGreaterThan(0);
      // the spike's segments came along; keep only the elderly groups
      while (await page.locator('[data-test="urgent-segments"] .el-checkbox.is-checked').count()) await page.locator('[data-test="urgent-segments"] .el-checkbox.is-checked').first().click();
      await page.locator('[data-test="urgent-segments"] .el-checkbox', { hasText: '老年' }).click();
      await page.locator('[data-test="urgent-mode"] label', { hasText: '新写文字' }).click();
      await field(page, 'urgent-text').fill('【紧急预警】近期{district}多名老人接到冒充公安的电话，凡是要求转账到“安全账户”的都是诈骗。拿不准打{hotline}。');
      await expect.poll(() => page.locator('[data-test="estimate-groups"]').count(), { timeout: 15_000 }).toBe(1);
      expect(Number(await page.locator('[data-test="estimate-groups"]').innerText())).toBe(3); // 鼓楼区's tagged elderly groups
      const o = await overflowX(page);
      expect(o.scrollWidth, o.culprits.join(', ')).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'urgent-estimate-phone');
    } finally {
      await context.close();
    }
  }, 60_000);
});
