import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { TEST_PASSWORD } from '../../support/api.js';
import { DESKTOP, PHONE, SCREENSHOTS, field, overflowX, screenshot, signIn } from './browser.js';

/** One person's browser: a context of their own (their session cookie), one page, and what went wrong in it. */
export interface Officer {
  user: string;
  context: BrowserContext;
  page: Page;
  /** Page errors and 5xx answers of the API seen by this page. */
  problems: string[];
}

/** Sign a user in, in a browser context of their own (a phone's when `phone`). */
export async function officer(browser: Browser, base: string, user: string, o: { phone?: boolean } = {}): Promise<Officer> {
  const context = await browser.newContext({
    // a phone's screen and touch; not Chromium's mobile emulation, whose layout stays wide once `snap` has shown the page at a desktop's width
    viewport: o.phone ? PHONE : DESKTOP, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...(o.phone ? { hasTouch: true } : {}),
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.url().includes('/api/') && r.status() >= 500) problems.push(`${r.status()} ${r.url()}`);
  });
  await signIn(page, base, user, TEST_PASSWORD);
  return { user, context, page, problems };
}

/** Screenshots taken, the phone screens that scrolled sideways and English left on a screen (checked at the end). */
export const shots = { files: [] as string[], sideways: [] as string[], english: [] as string[] };

/** Three English words in a row: a sentence of the server's (for the CLI and the logs) left untranslated on a page. */
const ENGLISH = /\b[A-Za-z]{2,}(?:\(s\))?[ ,:]+[A-Za-z]{2,}[ ,:]+[A-Za-z]{2,}\b/g;
async function englishOn(page: Page): Promise<string[]> {
  const text = await page.locator('body').innerText();
  return [...new Set(text.match(ENGLISH) ?? [])];
}

/**
 * A key screen of a journey at a desktop's and a phone's width
 * (test-results/screenshots/journey-<name>-desktop.png, -phone.png); the
 * phone one must not scroll sideways. The page goes back to its size after.
 */
export async function snap(page: Page, name: string): Promise<void> {
  const was = page.viewportSize() ?? DESKTOP;
  const charts = (await page.locator('canvas').count()) > 0;
  if (await page.locator('.el-progress').count()) await page.waitForTimeout(700); // a bar's width eases to its value
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const now = page.viewportSize() ?? DESKTOP;
    if (now.width !== size.width || now.height !== size.height) {
      await page.setViewportSize(size);
      await page.waitForTimeout(charts ? 1200 : 500); // the layout switches (and charts redraw) on the width
    }
    shots.files.push(await screenshot(page, `journey-${name}-${label}`));
    if (label === 'desktop') for (const e of await englishOn(page)) shots.english.push(`${name}: "${e}"`);
    if (label === 'phone') {
      const o = await overflowX(page);
      if (o.scrollWidth > PHONE.width) shots.sideways.push(`${name}: ${o.scrollWidth}px wide (${o.culprits.join(', ')})`);
    }
  }
  if ((page.viewportSize() ?? DESKTOP).width !== was.width || (page.viewportSize() ?? DESKTOP).height !== was.height) {
    await page.setViewportSize(was);
    await page.waitForTimeout(400);
  }
}

/** Every screenshot named by `snap` is on disk. */
export const missingShots = (): string[] => shots.files.filter((f) => !existsSync(f)).map((f) => f.replace(SCREENSHOTS + '/', ''));
export const shotPath = (name: string): string => join(SCREENSHOTS, `${name}.png`);

/** Answer the reason dialog of an audited action; gives the confirm button's text (it names what is confirmed). */
export async function giveReason(page: Page, reason?: string): Promise<string> {
  const confirm = page.locator('[data-test="reason-confirm"]');
  await confirm.waitFor({ state: 'visible', timeout: 10_000 });
  if (reason) await field(page, 'reason-input').fill(reason);
  const text = await confirm.innerText();
  await confirm.click();
  await confirm.waitFor({ state: 'hidden', timeout: 10_000 });
  return text;
}

export interface PageCall {
  status: number;
  code?: string;
  message?: string;
  /** The session gave a CSRF token, and it was sent. */
  csrf: boolean;
  body?: unknown;
}

/**
 * A call to the API from inside the page, as the console's own code makes it:
 * the session cookie, and for a change the session's CSRF token (from GET /api/session).
 */
export async function callFromPage(page: Page, method: string, path: string, body?: unknown): Promise<PageCall> {
  // evaluated in the page as text: this file is type-checked without the DOM's types
  return page.evaluate<PageCall>(`(async () => {
    const s = await (await fetch('/api/session', { credentials: 'same-origin' })).json();
    const method = ${JSON.stringify(method)};
    const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
    if (method !== 'GET') {
      init.headers['content-type'] = 'application/json';
      init.headers['x-csrf-token'] = s.csrf;
      init.body = ${JSON.stringify(JSON.stringify(body ?? {}))};
    }
    const r = await fetch(${JSON.stringify(path)}, init);
    const b = await r.json().catch(() => undefined);
    return { status: r.status, code: b && b.code, message: b && b.message, csrf: !!s.csrf, body: b };
  })()`);
}

/** Count the page's own navigations (a reload is one) from now on. */
export function countNavigations(page: Page): () => number {
  let n = 0;
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) n++;
  });
  return () => n;
}

/** The percentage an `el-progress` shows (its `aria-valuenow`, or `data-progress` where the page sets it); -1 while absent. */
export async function percentOf(bar: Locator): Promise<number> {
  if (!(await bar.count())) return -1;
  const el = bar.first();
  const v = (await el.getAttribute('data-progress')) ?? (await el.getAttribute('aria-valuenow'));
  return v === null ? -1 : Number(v);
}

/**
 * Type a date into an Element Plus date picker (YYYY-MM-DD) and take it. The
 * picker hands its `data-test` to its (teleported) panel, not to its field:
 * the field is found by its placeholder.
 */
export async function pickDate(page: Page, placeholder: string, day: string): Promise<void> {
  const input = page.locator(`.el-date-editor input[placeholder="${placeholder}"]`).first();
  await input.click();
  await input.fill(day);
  await input.press('Enter');
  await page.keyboard.press('Escape');
}

/** Pick an option of an Element Plus select by its label. */
export async function choose(page: Page, name: string, label: string): Promise<void> {
  await page.locator(`[data-test="${name}"]`).first().click();
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: label }).first().click();
}

/** Clear an Element Plus select (its clear icon shows on hover). */
export async function clearSelect(page: Page, name: string): Promise<void> {
  const sel = page.locator(`.el-select:has([data-test="${name}"]), .el-select[data-test="${name}"]`).first();
  await sel.hover();
  await sel.locator('.el-select__clear').click();
}

/** A text's most telling line (the longest without a placeholder), to look for where it is shown. */
export function tellingLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.includes('{')).sort((a, b) => b.length - a.length)[0] ?? text;
}

/**
 * Watch a progress bar until it shows 100 %: the values it showed on the way
 * (each change once; -1 while the bar is absent). Fails with them after `timeoutMs`.
 */
export async function followProgress(bar: Locator, timeoutMs: number, onValue?: (v: number) => Promise<void>): Promise<number[]> {
  const seen: number[] = [];
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await percentOf(bar);
    if (seen.at(-1) !== v) {
      seen.push(v);
      await onValue?.(v);
    }
    if (v === 100) return seen;
    if (Date.now() > end) throw new Error(`progress did not reach 100 % in ${timeoutMs} ms: ${seen.join(' → ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
