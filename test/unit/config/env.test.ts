import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDevelopment, loadEnv, wechatyLogLevel } from '../../../src/config/env.js';
import { ConfigError } from '../../../src/config/errors.js';

const KEY = 'k'.repeat(32);
const root = (): string => mkdtempSync(join(tmpdir(), 'zhimi-env-'));

/** The ConfigError message of reading `read()`, or a failure. */
function refusal(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('ZHIMI_E_CONFIG');
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the member key', () => {
  it('should make and keep a development key only for the development database (MONGODB_URI unset)', () => {
    const dir = root();
    const key = loadEnv(dir, {}).memberKey;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(loadEnv(dir, {}).memberKey).toBe(key);
    expect(statSync(join(dir, '.zhimi', 'member-key')).mode & 0o777).toBe(0o600);
  });

  it('should never make a key silently for another database, whatever ZHIMI_ENV says', () => {
    for (const zhimiEnv of [undefined, 'development', 'staging']) {
      const env = { MONGODB_URI: 'mongodb://db.example:27017/zhimi', ...(zhimiEnv ? { ZHIMI_ENV: zhimiEnv } : {}) };
      const dir = root();
      expect(refusal(() => loadEnv(dir, env).memberKey)).toMatch(/^environment: (ZHIMI_MEMBER_KEY: must be set for any database other than the development one|ZHIMI_ENV: must be production or development)/);
    }
  });

  it('should refuse an empty key, and one shorter than 32 bytes', () => {
    expect(refusal(() => loadEnv(root(), { ZHIMI_MEMBER_KEY: '' }).memberKey)).toBe('environment: ZHIMI_MEMBER_KEY: is set but empty: give a random secret of at least 32 bytes (e.g. `openssl rand -hex 32`), or unset it in development');
    expect(refusal(() => loadEnv(root(), { ZHIMI_MEMBER_KEY: 'short' }).memberKey)).toMatch(/ZHIMI_MEMBER_KEY: must be at least 32 bytes \(got 5\)/);
    expect(loadEnv(root(), { MONGODB_URI: 'mongodb://db/zhimi', ZHIMI_MEMBER_KEY: KEY }).memberKey).toBe(KEY);
  });

  it('should refuse a development key file that is empty', () => {
    const dir = root();
    mkdirSync(join(dir, '.zhimi'));
    writeFileSync(join(dir, '.zhimi', 'member-key'), '\n');
    expect(refusal(() => loadEnv(dir, {}).memberKey)).toMatch(/member-key: holds a development key of 0 bytes/);
  });

  it('should not need the member key until it is read (the link server keys no member)', () => {
    const env = loadEnv(root(), { MONGODB_URI: 'mongodb://db/zhimi', ZHIMI_LINK_KEY: KEY });
    expect(env.linkKey).toBe(KEY);
    expect(JSON.stringify(env)).not.toContain(KEY);
  });
});

describe('production', () => {
  it('should refuse to start without MONGODB_URI', () => {
    expect(refusal(() => loadEnv(root(), { ZHIMI_ENV: 'production', ZHIMI_MEMBER_KEY: KEY }))).toMatch(/^environment: MONGODB_URI: must be set when ZHIMI_ENV=production/);
  });

  it('should refuse a ZHIMI_ENV that is neither production nor development', () => {
    expect(refusal(() => loadEnv(root(), { ZHIMI_ENV: 'Production' }))).toBe('environment: ZHIMI_ENV: must be production or development, or unset (got "Production")');
  });

  it('should require a link key outside development, and make one for development', () => {
    expect(refusal(() => loadEnv(root(), { ZHIMI_ENV: 'production', MONGODB_URI: 'mongodb://db/zhimi' }).linkKey)).toMatch(/ZHIMI_LINK_KEY: must be set for any database other than the development one/);
    expect(loadEnv(root(), {}).linkKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should require an https public address outside development', () => {
    expect(refusal(() => loadEnv(root(), { MONGODB_URI: 'mongodb://db/zhimi', ZHIMI_PUBLIC_URL: 'http://r.example.gov.cn' }))).toBe(
      'environment: ZHIMI_PUBLIC_URL: must be an https:// address outside development: residents open these links (got "http://r.example.gov.cn")',
    );
    expect(loadEnv(root(), { ZHIMI_PUBLIC_URL: 'http://127.0.0.1:8787/' }).publicUrl).toBe('http://127.0.0.1:8787');
    expect(loadEnv(root(), { MONGODB_URI: 'mongodb://db/zhimi', ZHIMI_PUBLIC_URL: 'https://r.example.gov.cn' }).publicUrl).toBe('https://r.example.gov.cn');
    expect(refusal(() => loadEnv(root(), { ZHIMI_PUBLIC_URL: 'javascript:alert(1)' }))).toMatch(/ZHIMI_PUBLIC_URL: must be an https:\/\/ address/);
  });
});

describe('WECHATY_LOG', () => {
  it('should refuse verbose and silly outside development: they print tokens and raw WeChat ids', () => {
    expect(refusal(() => loadEnv(root(), { MONGODB_URI: 'mongodb://db/zhimi', WECHATY_LOG: 'verbose' }))).toMatch(/^environment: WECHATY_LOG: verbose prints bot tokens and members' raw WeChat ids: it is allowed only in development/);
    expect(refusal(() => wechatyLogLevel({ ZHIMI_ENV: 'production', WECHATY_LOG: 'silly' }))).toMatch(/WECHATY_LOG: silly prints/);
    expect(wechatyLogLevel({ ZHIMI_ENV: 'production', WECHATY_LOG: 'warn' })).toBe('warn');
    expect(wechatyLogLevel({ WECHATY_LOG: 'verbose' })).toBe('verbose');
    expect(refusal(() => wechatyLogLevel({ WECHATY_LOG: 'loud' }))).toMatch(/must be one of silent, error, warn, info, verbose, silly/);
  });

  it('should count as development only with the development database or ZHIMI_ENV=development', () => {
    expect(isDevelopment({})).toBe(true);
    expect(isDevelopment({ MONGODB_URI: 'mongodb://db/zhimi' })).toBe(false);
    expect(isDevelopment({ MONGODB_URI: 'mongodb://db/zhimi', ZHIMI_ENV: 'development' })).toBe(true);
    expect(isDevelopment({ ZHIMI_ENV: 'production' })).toBe(false);
  });
});
