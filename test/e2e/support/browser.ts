import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { paths } from '../../../src/config/paths.js';

/** The built console. */
export const CONSOLE_DIST = join(paths.root, 'web', 'dist');
/** Where screenshots go (git-ignored). */
export const SCREENSHOTS = join(paths.root, 'test-results', 'screenshots');

export const DESKTOP = { width: 1440, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Build web/dist (vite's JS API) when it is missing or older than the console's sources. */
export async function ensureConsoleBuilt(): Promise<void> {
  const web = join(paths.root, 'web');
  const index = join(CONSOLE_DIST, 'index.html');
  const sources = Math.max(newest(join(web, 'src')), statSync(join(web, 'index.html')).mtimeMs, statSync(join(web, 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const { build } = await import('vite');
  await build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
}

/** Debian's Chromium, headless, kept off the network except for the address it is sent to. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** Wait until a page has stopped loading: its heading is there and no loading mask shows. */
export async function settled(page: Page): Promise<void> {
  await page.locator('[data-test="page-title"]').first().waitFor({ state: 'visible', timeout: 15_000 });
  // evaluated in the page (as text: this file is type-checked without the DOM's types)
  await page.waitForFunction(`![...document.querySelectorAll('.el-loading-mask')].some((m) => m.offsetParent !== null)`, undefined, { timeout: 15_000 });
  await page.waitForTimeout(400); // transitions end
  if (await page.locator('canvas').count()) await page.waitForTimeout(1000); // charts animate in
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  // from the top, as the page opens: a full-page shot of a scrolled page draws its sticky header, menu and bars mid-page
  await page.evaluate('window.scrollTo(0, 0)');
  await page.waitForTimeout(100);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A text field or text area by its data-test name (Element Plus puts the attribute on the <input> itself). */
export const field = (page: Page, name: string) =>
  page.locator(`input[data-test="${name}"], textarea[data-test="${name}"], [data-test="${name}"] input, [data-test="${name}"] textarea`).first();

/** Sign in through the console's form. */
export async function signIn(page: Page, base: string, user: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await field(page, 'login-user').fill(user);
  await field(page, 'login-password').fill(password);
  await page.locator('[data-test="login-submit"]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
}

/** The page's width beyond the viewport (0: no sideways scrolling). */
export async function overflowX(page: Page): Promise<{ scrollWidth: number; culprits: string[] }> {
  return page.evaluate<{ scrollWidth: number; culprits: string[] }>(`(() => {
    const w = document.documentElement.clientWidth;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.right > w + 1 && r.width > 0 && !e.closest('.table-scroll, .el-table, .el-scrollbar, .el-tabs__nav-scroll, .tabs');
      })
      .slice(0, 5)
      .map((e) => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' (' + Math.round(e.getBoundingClientRect().right) + 'px)');
    return { scrollWidth: document.documentElement.scrollWidth, culprits };
  })()`);
}
