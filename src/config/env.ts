import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from './errors.js';

/** Settings that come from the environment (secrets never come from files in the repo). */
export interface ZhimiEnv {
  /** Production database; unset → the development FerretDB is started. */
  mongoUri: string | undefined;
  /** HMAC secret that turns member WeChat ids into keys. */
  memberKey: string;
  /** True when ZHIMI_ENV=production: no development fall-backs. */
  production: boolean;
}

/**
 * Read the environment. Outside production a missing ZHIMI_MEMBER_KEY is
 * replaced by a development key kept in `.zhimi/member-key` (git-ignored),
 * so member keys stay stable between demo runs on one machine.
 */
export function loadEnv(root: string, env: NodeJS.ProcessEnv = process.env): ZhimiEnv {
  const production = env['ZHIMI_ENV'] === 'production';
  let memberKey = env['ZHIMI_MEMBER_KEY'];
  if (!memberKey) {
    if (production) {
      throw new ConfigError([{ file: 'environment', field: 'ZHIMI_MEMBER_KEY', message: 'must be set in production: a random secret of at least 32 characters used to key member ids' }]);
    }
    memberKey = devMemberKey(join(root, '.zhimi', 'member-key'));
  } else if (memberKey.length < 32) {
    throw new ConfigError([{ file: 'environment', field: 'ZHIMI_MEMBER_KEY', message: `must be at least 32 characters (got ${memberKey.length})` }]);
  }
  const mongoUri = env['MONGODB_URI'] || undefined;
  return { mongoUri, memberKey, production };
}

function devMemberKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}
