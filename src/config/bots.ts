import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ConfigProblem } from './errors.js';
import { loadYamlFile, readYamlFile } from './yaml-file.js';
import { botSchema, fleetSchema, PACKAGE_NAME, type BotConfig, type FleetFileConfig } from './bots-schema.js';

export type { BotConfig, BotLimits, Officer, PuppetConfig, PuppetTls } from './bots-schema.js';

/** Puppet packages a bot may name (the README documents both); more only through ZHIMI_ALLOWED_PUPPETS. */
export const DEFAULT_PUPPETS = ['wechaty-puppet-service', 'wechaty-puppet-mock'] as const;

/**
 * The puppet packages bots may load: the documented ones, plus the npm names
 * listed in ZHIMI_ALLOWED_PUPPETS (comma-separated). A listed name that is
 * not a package name is refused.
 */
export function allowedPuppets(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env['ZHIMI_ALLOWED_PUPPETS'] ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const bad = extra.filter((n) => !PACKAGE_NAME.test(n));
  if (bad.length) {
    throw new ConfigError([{ file: 'environment', field: 'ZHIMI_ALLOWED_PUPPETS', message: `must list npm package names, comma-separated, e.g. wechaty-puppet-padlocal (got ${bad.map((b) => JSON.stringify(b)).join(', ')})` }]);
  }
  return [...new Set<string>([...DEFAULT_PUPPETS, ...extra])];
}

/** Why a bot's puppet package may not load (not on the allow-list), or undefined. */
export function puppetNotAllowed(name: string, allowed: readonly string[]): string | undefined {
  if (allowed.includes(name)) return undefined;
  return `puppet "${name}" is not allowed: one of ${allowed.join(', ')}; another puppet package only when its npm name is listed in ZHIMI_ALLOWED_PUPPETS`;
}

/** The whole fleet configuration, defaults resolved once. */
export interface FleetConfig extends FleetFileConfig {
  bots: BotConfig[];
  dir: string;
}

/**
 * Load bots/fleet.yaml and every other bots/*.yaml. All problems of all files
 * are reported together, each with file, line and field; a puppet package not
 * on the allow-list (see {@link allowedPuppets}) is one.
 */
export function loadFleetConfig(dir: string, env: NodeJS.ProcessEnv = process.env): FleetConfig {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    throw new ConfigError([{ file: dir, field: '', message: 'folder not found: it must hold fleet.yaml and one <bot-id>.yaml per WeChat account' }]);
  }
  const problems: ConfigProblem[] = [];
  const fleetFile = join(dir, 'fleet.yaml');
  let fleet: FleetFileConfig | undefined;
  if (!names.includes('fleet.yaml')) {
    problems.push({ file: fleetFile, field: '', message: 'missing: fleet.yaml holds the fleet-wide defaults (limits, quiet hours, officers)' });
  } else {
    fleet = collect(problems, () => loadYamlFile(fleetFile, fleetSchema));
  }
  const allowed = collect(problems, () => allowedPuppets(env)) ?? [...DEFAULT_PUPPETS];
  const bots: BotConfig[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    if (name === 'fleet.yaml') continue;
    const file = join(dir, name);
    const read = readYamlFile(file, botSchema, 'a bot');
    if (!read.ok) {
      problems.push(...read.problems);
      continue;
    }
    const bot = read.value;
    const refused = puppetNotAllowed(bot.puppet.name, allowed);
    if (refused) {
      const line = read.located?.lineOf(['puppet', 'name']);
      problems.push({ file, field: 'puppet.name', message: refused, ...(line !== undefined ? { line } : {}) });
      continue;
    }
    const expected = name.replace(/\.ya?ml$/, '');
    if (bot.id !== expected) {
      problems.push({ file, field: 'id', message: `must match the file name "${expected}" (got "${bot.id}")` });
      continue;
    }
    const other = seen.get(bot.id);
    if (other) problems.push({ file, field: 'id', message: `duplicate bot id "${bot.id}", also in ${other}` });
    seen.set(bot.id, file);
    if (fleet) bots.push({ ...bot, limits: { ...fleet.limits, ...bot.limits }, file });
  }
  if (problems.length > 0 || !fleet) throw new ConfigError(problems);
  return { ...fleet, bots, dir };
}


function collect<T>(problems: ConfigProblem[], load: () => T): T | undefined {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      problems.push(...err.problems);
      return undefined;
    }
    throw err;
  }
}
