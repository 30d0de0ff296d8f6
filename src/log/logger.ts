import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import { scrubSecrets } from './secrets.js';

export type { Logger } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerFactoryOptions {
  /** Minimum level. @defaultValue `process.env.ZHIMI_LOG_LEVEL ?? 'info'` */
  level?: string;
  /** Pretty, human output. @defaultValue true when stderr is a TTY */
  pretty?: boolean;
  /** Write here instead of stderr (tests capture logs this way). */
  destination?: DestinationStream;
}

/**
 * Paths pino blanks out wherever they appear. Tokens and member ids must never
 * reach a log line: code logs member *keys* (HMACs), never raw ids, and these
 * paths catch the mistakes.
 */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'puppet.token',
  '*.puppet.token',
  'password',
  '*.password',
  'memberId',
  '*.memberId',
  'wxid',
  '*.wxid',
  'inviterId',
  '*.inviterId',
];

/** Fields that carry error texts. */
const ERROR_FIELDS = ['err', 'error', 'reason', 'why', 'lastError'];

/** A serialized error with every known secret scrubbed from its texts, its cause's too. */
function scrubbed(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubbed(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbed(v, depth + 1)]));
}

/** Errors go under `err` whole (type, message, stack, cause), secrets scrubbed: a token a service quotes back never reaches a line. */
const errSerializer = (e: unknown): unknown => scrubbed(e instanceof Error ? pino.stdSerializers.errWithCause(e) : e);

/** One root logger for the process; modules take `logger.child({ ... })`. */
export function createLogger(options: LoggerFactoryOptions = {}): Logger {
  const level = options.level ?? process.env['ZHIMI_LOG_LEVEL'] ?? 'info';
  const base: LoggerOptions = {
    level,
    base: { app: 'zhimi' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: errSerializer, error: errSerializer },
    // error texts come from libraries and remote services: a known token in one is scrubbed, whoever logs it
    formatters: {
      log(fields) {
        for (const k of ERROR_FIELDS) if (typeof fields[k] === 'string') fields[k] = scrubSecrets(fields[k] as string);
        return fields;
      },
    },
  };
  if (options.destination) return pino(base, options.destination);
  // logs go to stderr: stdout carries what a command prints (a report as CSV or JSON can be redirected to a file)
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app', destination: 2 },
      },
    });
  }
  return pino(base, pino.destination(2));
}
