import { createLogger, type Logger } from '../../log/logger.js';
import { scrubSecrets } from '../../log/secrets.js';
import { ConfigError } from '../../config/errors.js';
import { wechatyLogLevel, type WechatyLogLevel } from '../../config/env.js';

/** What Wechaty's own logger (the brolog instance of wechaty-puppet, shared by Wechaty and the puppet service) lets us set. */
export interface Brolog {
  level(name?: WechatyLogLevel): string;
  enableLogging(printer: (levelTitle: string, text?: string) => void): unknown;
}

/** brolog's level titles, as pino levels. */
const PINO_LEVEL: Record<string, 'error' | 'warn' | 'info' | 'debug' | 'trace'> = { ERR: 'error', WARN: 'warn', INFO: 'info', VERB: 'debug', SILL: 'trace' };

/**
 * WeChat ids Wechaty writes in its verbose lines: personal (`wxid_…`), rooms
 * (`…@chatroom`), open-IM and gh_ (official accounts) ids. Best effort: the
 * levels that print them are refused outside development anyway.
 */
const RAW_IDS = /\b(?:wxid_[A-Za-z0-9_-]+|[A-Za-z0-9_-]+@(?:chatroom|im\.chatroom|openim)|gh_[0-9a-f]{6,})\b/g;

/** A line of Wechaty's log without tokens (known ones and token-shaped words) and raw WeChat ids. */
export function scrubWechatyLine(text: string): string {
  return scrubSecrets(text).replace(RAW_IDS, '[id]');
}

/**
 * Send Wechaty's own log through Zhimi's: each line scrubbed of tokens and
 * raw WeChat ids, then logged by pino (`module: wechaty`) at the matching
 * level, so it reaches stderr like every other line. The level comes from
 * WECHATY_LOG (`silent` when unset); `verbose` and `silly` outside
 * development are refused by the environment check (loadEnv) and, here, kept
 * at `info` with one error line saying why — Wechaty is set up when its
 * module loads, before any command could refuse.
 */
export function routeWechatyLog(brolog: Brolog, env: NodeJS.ProcessEnv = process.env, log?: Logger): WechatyLogLevel {
  let level: WechatyLogLevel;
  let refused: ConfigError | undefined;
  try {
    level = wechatyLogLevel(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    refused = err;
    level = (env['WECHATY_LOG'] ?? '') in { verbose: 1, silly: 1 } ? 'info' : 'silent';
  }
  // WECHATY_LOG chooses what Wechaty prints, whatever ZHIMI_LOG_LEVEL says of Zhimi's own lines
  let logger: Logger | undefined;
  const out = (): Logger => (logger ??= (log ?? createLogger()).child({ module: 'wechaty' }, { level: 'trace' }));
  brolog.level('silent'); // brolog logs its own switch of printer through the old one
  brolog.enableLogging((title, text) => {
    out()[PINO_LEVEL[title] ?? 'info']({ wechaty: scrubWechatyLine(text ?? '') }, 'wechaty');
  });
  brolog.level(level);
  if (refused) out().error({ wechatyLog: level }, `${refused.message}; Wechaty logs at ${level} instead`);
  return level;
}
