import { can } from '../shared/permissions.js';
/**
 * Every error a use case can end with, by its stable code (`ZHIMI_E_…`,
 * listed in the README): what kind of trouble it is, so each face answers it
 * the same way (the CLI with an exit code, the HTTP API with a status).
 */
export type ErrorKind =
  /** A file, setting or argument the user wrote is wrong: the message names file, line and field. */
  | 'invalid'
  /** The database (or Redis) cannot be used. */
  | 'database'
  /** The WeChat side: a puppet service unreachable, a token refused, the puppet answered with an error. */
  | 'wechat'
  /** The rules refused the action (the campaign is not in a state that allows it). */
  | 'refused'
  /** Who is acting is not known (no session, a wrong password, an expired or revoked token). */
  | 'unauthenticated'
  /** Who is acting may not do this (roles, scope, their own submission). */
  | 'forbidden'
  /** Too many tries: a user locked out after failed sign-ins, a client over its rate. */
  | 'locked'
  /** What the action was about changed meanwhile (a review of a version that is no longer the one under review). */
  | 'conflict'
  /** The thing named does not exist. */
  | 'not-found'
  /** The API cannot be reached (the CLI's commands that go through it). */
  | 'unavailable'
  /** Zhimi itself failed (a bug). */
  | 'internal';

/** Each code and its kind; a code missing here is a bug (a test checks the README lists every one). */
export const ERROR_CODES: Record<string, ErrorKind> = {
  ZHIMI_E_CONFIG: 'invalid',
  ZHIMI_E_REPORT_QUERY: 'invalid',
  ZHIMI_E_DB_URI: 'database',
  ZHIMI_E_DB_UNREACHABLE: 'database',
  ZHIMI_E_DB_AUTH: 'database',
  ZHIMI_E_DB_START: 'database',
  ZHIMI_E_REDIS_UNREACHABLE: 'database',
  ZHIMI_E_TRANSPORT: 'wechat',
  ZHIMI_E_PUPPET: 'wechat',
  ZHIMI_E_CAMPAIGN_RULE: 'refused',
  ZHIMI_E_NOT_FOUND: 'not-found',
  ZHIMI_E_INVALID: 'invalid',
  ZHIMI_E_AUTH: 'unauthenticated',
  ZHIMI_E_FORBIDDEN: 'forbidden',
  ZHIMI_E_CSRF: 'forbidden',
  ZHIMI_E_LOCKED: 'locked',
  ZHIMI_E_STALE_VERSION: 'conflict',
  ZHIMI_E_API_UNREACHABLE: 'unavailable',
};

/** The code and kind of an error (an error without a known code is Zhimi's own failure). */
export function classifyError(err: unknown): { code: string; kind: ErrorKind } {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in ERROR_CODES) return { code, kind: ERROR_CODES[code]! };
  return { code: 'ZHIMI_E_INTERNAL', kind: 'internal' };
}

/** Something the user named does not exist (a campaign id, a group). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly code = 'ZHIMI_E_NOT_FOUND';
}

/** An error with a stable code (see ERROR_CODES). */
export class AppError extends Error {
  constructor(readonly code: keyof typeof ERROR_CODES & string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
  }
}

export const forbidden = (why: string): AppError => new AppError('ZHIMI_E_FORBIDDEN', why);

/** The one check of who may do what: the actor's grant over the target (see `can`), or forbidden with why. */
export function requireGrant(...args: Parameters<typeof can>): void {
  const d = can(...args);
  if (!d.ok) throw forbidden(d.why);
}
export const unauthenticated = (why: string): AppError => new AppError('ZHIMI_E_AUTH', why);
