import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ConfigProblem } from './errors.js';
import { loadYamlFile } from './yaml-file.js';
import { botSchema, fleetSchema, type BotConfig, type FleetFileConfig, type Officer } from './bots-schema.js';

export type { BotConfig, BotLimits, Officer, PuppetConfig } from './bots-schema.js';

/** The whole fleet configuration, defaults resolved once. */
export interface FleetConfig extends FleetFileConfig {
  bots: BotConfig[];
  dir: string;
}

/**
 * Load bots/fleet.yaml and every other bots/*.yaml. All problems of all files
 * are reported together, each with file, line and field.
 */
export function loadFleetConfig(dir: string): FleetConfig {
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
  const bots: BotConfig[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    if (name === 'fleet.yaml') continue;
    const file = join(dir, name);
    const bot = collect(problems, () => loadYamlFile(file, botSchema));
    if (!bot) continue;
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

/** Officers a bot accepts invitations and commands from: the fleet list plus its own. */
export function officersOf(fleet: Pick<FleetConfig, 'officers'>, bot: Pick<BotConfig, 'acceptInvitesFrom'>): Set<string> {
  return new Set([...fleet.officers.map((o: Officer) => o.id), ...bot.acceptInvitesFrom]);
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
