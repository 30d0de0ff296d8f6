import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetLoginQr, writeLoginQr } from '../../../../src/channels/wechaty/login-qr.js';

describe('the QR code a bot\'s account must scan', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const d = join(mkdtempSync(join(tmpdir(), 'zhimi-qr-unit-')), 'login-qr');
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(join(d, '..'), { recursive: true, force: true });
  });

  it('should write the code whole, for the operator only, and replace it with each new code', async () => {
    const dir = newDir();
    const file = await writeLoginQr(dir, 'gulou-01', 'https://login.example/qr/first');
    expect(file).toBe(join(dir, 'gulou-01.svg'));
    const first = readFileSync(file, 'utf8');
    expect(first).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await writeLoginQr(dir, 'gulou-01', 'https://login.example/qr/second');
    expect(readFileSync(file, 'utf8')).not.toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['gulou-01.svg']);
  });

  it('should never show a reader a half-written file, and leave no code behind when the login comes while it is being written', async () => {
    const dir = newDir();
    const seen: string[] = [];
    const writes = Array.from({ length: 20 }, (_, i) => writeLoginQr(dir, 'gulou-01', `https://login.example/qr/${i}`));
    // read while the codes are written: the file is absent or a whole code, never empty or cut
    for (let i = 0; i < 200 && seen.length < 20; i++) {
      const file = join(dir, 'gulou-01.svg');
      if (existsSync(file)) seen.push(readFileSync(file, 'utf8'));
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const text of seen) expect(text).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const forgotten = forgetLoginQr(dir, 'gulou-01');
    await Promise.all([...writes, forgotten]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('should keep other bots\' codes apart, with a safe file name', async () => {
    const dir = newDir();
    await writeLoginQr(dir, 'gulou-01', 'a');
    await writeLoginQr(dir, '../cangshan 01', 'b');
    await forgetLoginQr(dir, 'gulou-01');
    expect(readdirSync(dir)).toEqual(['.._cangshan_01.svg']);
  });
});
