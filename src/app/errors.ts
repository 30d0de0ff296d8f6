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
  /** The rules refused the action (e.g. an author approving their own campaign). */
  | 'refused'
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
  ZHIMI_E_NOT_FOUND: 'invalid',
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
