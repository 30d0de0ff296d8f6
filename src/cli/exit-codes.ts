import { ConfigError } from '../config/errors.js';
import { StoreError } from '../store/errors.js';
import { PuppetError, TransportError } from '../channels/wechaty/errors.js';
import { CampaignRuleError } from '../campaigns/campaign-service.js';
import { ReportQueryError } from '../reports/reports.js';

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
  /** The rules refused the action (e.g. an author approving their own campaign). */
  refused: 6,
} as const;

export function exitCodeFor(err: unknown): number {
  if (err instanceof ConfigError || err instanceof ReportQueryError) return EXIT.config;
  if (err instanceof StoreError) return EXIT.database;
  if (err instanceof PuppetError || err instanceof TransportError) return EXIT.wechat;
  if (err instanceof CampaignRuleError) return EXIT.refused;
  return EXIT.internal;
}
