import { classifyError, type ErrorKind } from '../app/errors.js';

/** Exit codes of `zhimi` (also in the README). */
export const EXIT = {
  ok: 0,
  /** Something went wrong in Zhimi itself. */
  internal: 1,
  /** A file or setting the user wrote is wrong (bots/*.yaml, content/, environment, arguments). */
  config: 2,
  /** The database cannot be reached or used. */
  database: 3,
  /** A bot or puppet service failed. */
  wechat: 4,
  /** The check ran and found problems (lint, validate). */
  findings: 5,
  /** The rules refused the action (the campaign's state does not allow it, or it changed meanwhile). */
  refused: 6,
  /** Who you are does not allow it: not signed in (zhimi login), a role or scope that does not cover it, your own submission, locked out. */
  access: 7,
} as const;

const BY_KIND: Record<ErrorKind, number> = {
  invalid: EXIT.config, 'not-found': EXIT.config, database: EXIT.database, unavailable: EXIT.database, wechat: EXIT.wechat, refused: EXIT.refused, conflict: EXIT.refused,
  unauthenticated: EXIT.access, forbidden: EXIT.access, locked: EXIT.access, internal: EXIT.internal,
};

/** The exit code an error ends a command with (by its ZHIMI_E_… code: see src/app/errors.ts). */
export function exitCodeFor(err: unknown): number {
  return BY_KIND[classifyError(err).kind];
}
