import { InvalidArgumentError } from 'commander';
import { shanghaiDay, shiftDay } from '../config/clock.js';
import type { OutputFormat } from '../reports/format.js';
import { SEGMENTS, type Segment } from '../audience/segments.js';
import { addFaultSpec } from '../sim/fault-spec.js';
import type { SimFaults } from '../sim/sim-puppet.js';

/** Parsers of option values: a wrong value stops with a message naming what is allowed (exit 2). */

export function formatOption(v: string): OutputFormat {
  if (v !== 'table' && v !== 'csv' && v !== 'json') throw new InvalidArgumentError(`must be table, csv or json (got "${v}")`);
  return v;
}

export function intOption(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`must be a whole number (got "${v}")`);
  return n;
}

/** Words separated by commas (either width) or spaces. */
export function wordsOption(v: string): string[] {
  return v.split(/[,，\s]+/).filter(Boolean);
}

/** A YYYY-MM-DD option value (an Asia/Shanghai calendar day). */
export function dayOption(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00+08:00`))) {
    throw new InvalidArgumentError(`"${value}" is not a date: write YYYY-MM-DD (Asia/Shanghai), e.g. 2026-11-01`);
  }
  return value;
}

/** A report period from `--from`/`--to`: `to` defaults to today, `from` to `days` days ending on `to` (Asia/Shanghai days). */
export function reportPeriod(o: { from?: string | undefined; to?: string | undefined }, now: Date, days: number): { from: string; to: string } {
  const to = o.to ?? shanghaiDay(now);
  return { from: o.from ?? shiftDay(to, -(days - 1)), to };
}

export function segmentOption(v: string): Segment {
  if (!(SEGMENTS as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${SEGMENTS.join(', ')} (got "${v}")`);
  return v as Segment;
}

/** A comma-separated list checked against the allowed words. */
export function listOption<T extends string>(allowed: readonly T[], what: string) {
  return (value: string): T[] => {
    const items = wordsOption(value);
    const bad = items.filter((i) => !allowed.includes(i as T));
    if (bad.length || items.length === 0) throw new InvalidArgumentError(`${what} must be one or more of ${allowed.join(', ')} (comma-separated); got "${value}"`);
    return items as T[];
  };
}

/** `zhimi sim --fault` values, collected per bot. */
export function faultOption(value: string, previous: Map<string, SimFaults> | undefined): Map<string, SimFaults> {
  try {
    return addFaultSpec(value, previous);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
