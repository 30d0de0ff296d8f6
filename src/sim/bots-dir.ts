import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BotConfig, FleetConfig } from '../config/bots.js';

/**
 * A bots folder for the simulator's fleet: bots/fleet.yaml and the YAML of
 * every bot the simulator serves — copied for the bots of bots/, written for
 * the extra `sim-NN` ones, which have no file of their own (a worker only
 * runs bots it has a YAML for). Returns the ids of the bots written afresh.
 */
export function writeSimBotsDir(fleet: Pick<FleetConfig, 'dir' | 'bots'>, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(fleet.dir, 'fleet.yaml'), join(dir, 'fleet.yaml'));
  const written: string[] = [];
  for (const b of fleet.bots) {
    const target = join(dir, `${b.id}.yaml`);
    if (existsSync(b.file)) {
      copyFileSync(b.file, target);
      continue;
    }
    writeFileSync(target, botYaml(b));
    written.push(b.id);
  }
  return written;
}

/** The YAML of a simulated bot, as a user would write it (its token only ever in the environment). */
export function botYaml(b: Pick<BotConfig, 'id' | 'name' | 'puppet'>): string {
  return [
    `# a bot of zhimi sim: its token is in ${b.puppet.tokenEnv} (zhimi sim prints the export line)`,
    `id: ${b.id}`,
    `name: ${b.name}`,
    'puppet:',
    `  name: ${b.puppet.name}`,
    `  endpoint: "${b.puppet.endpoint}"`,
    `  tokenEnv: ${b.puppet.tokenEnv}`,
    '',
  ].join('\n');
}
