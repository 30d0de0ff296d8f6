import type { SimFaults } from './sim-puppet.js';

/** What `zhimi sim --fault` accepts, for its help and its error messages. */
export const FAULT_KINDS = 'throttle=<posts a minute> (past that WeChat answers "发送消息过于频繁"), slow=<ms per send>, error=<text every send fails with>, twice=on|off (every message delivered to the bot twice), scan=on|off (the account starts logged out: it logs in once its QR code is scanned, "login <bot>" on the console), reid=on|off (every room gets a new id when its puppet service comes back, "restore <bot>")';

/**
 * One `--fault <bot>:<kind>=<value>` of `zhimi sim`, added to the faults per
 * bot so far. Throws a message naming what is allowed.
 */
export function addFaultSpec(spec: string, faults: ReadonlyMap<string, SimFaults> = new Map()): Map<string, SimFaults> {
  const m = /^([^:=\s]+):([a-z]+)=(.+)$/.exec(spec.trim());
  if (!m) throw new Error(`"${spec}" is not <bot>:<kind>=<value>, e.g. gulou-01:throttle=5; kinds: ${FAULT_KINDS}`);
  const [, bot, kind, value] = m as unknown as [string, string, string, string];
  const whole = (what: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`"${spec}": ${kind} must be a whole number of ${what} (got "${value}")`);
    return n;
  };
  const onOff = (): boolean => {
    if (value !== 'on' && value !== 'off') throw new Error(`"${spec}": ${kind} must be on or off (got "${value}")`);
    return value === 'on';
  };
  const f: SimFaults = { ...faults.get(bot) };
  if (kind === 'throttle') f.throttleAbovePerMinute = whole('posts a minute');
  else if (kind === 'slow') f.sendDelayMs = whole('milliseconds');
  else if (kind === 'error') f.sendError = value;
  else if (kind === 'twice') f.deliverTwice = onOff();
  else if (kind === 'scan') f.needsScan = onOff();
  else if (kind === 'reid') f.newRoomIdsOnReconnect = onOff();
  else throw new Error(`"${spec}": unknown fault "${kind}"; kinds: ${FAULT_KINDS}`);
  return new Map(faults).set(bot, f);
}

/** Bots named in faults that the simulator does not run (a typo in a bot id). */
export function unknownFaultBots(faults: ReadonlyMap<string, SimFaults>, botIds: readonly string[]): string[] {
  return [...faults.keys()].filter((b) => !botIds.includes(b));
}
