import type * as PUPPET from 'wechaty-puppet';
import { PuppetService } from 'wechaty-puppet-service';
import type { BotConfig } from '../../config/bots.js';
import { ConfigError, type ConfigProblem } from '../../config/errors.js';
import { keepPayloadsInMemory } from './memory-payload-store.js';
import { rememberSecret } from '../../log/secrets.js';

/** Makes the puppet of a bot; tests pass their own. */
export type PuppetFactory = (bot: BotConfig) => Promise<PUPPET.impls.PuppetInterface>;

/**
 * The production factory: `wechaty-puppet-service` with the endpoint from the
 * bot's YAML and the token from the environment variable it names (its payload
 * cache kept in memory, see memory-payload-store.ts); any other
 * puppet is loaded by its npm name with `puppet.options`.
 */
export function defaultPuppetFactory(env: NodeJS.ProcessEnv = process.env): PuppetFactory {
  return async (bot) => {
    const p = bot.puppet;
    if (p.name === 'wechaty-puppet-service') {
      const problem = missingToken(bot, env);
      if (problem) throw new ConfigError([problem]);
      const token = env[p.tokenEnv!]!;
      rememberSecret(token);
      const client = new PuppetService({ ...(p.options ?? {}), endpoint: p.endpoint, token });
      keepPayloadsInMemory(client);
      return client as unknown as PUPPET.impls.PuppetInterface;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(p.name)) as Record<string, unknown>;
    } catch {
      throw new ConfigError([{ file: bot.file, field: 'puppet.name', message: `puppet package "${p.name}" is not installed: npm install ${p.name}, or use wechaty-puppet-service` }]);
    }
    const Ctor = (mod['default'] ?? Object.values(mod).find((v) => typeof v === 'function')) as new (o: unknown) => PUPPET.impls.PuppetInterface;
    const token = p.tokenEnv ? env[p.tokenEnv] : undefined;
    rememberSecret(token);
    return new Ctor({ ...(p.options ?? {}), ...(token ? { token } : {}) });
  };
}

/**
 * Why this process cannot make a bot's puppet, known without trying: a
 * puppet service bot whose token variable is not set here (another worker
 * may have it). Undefined when nothing is missing.
 */
export function missingToken(bot: BotConfig, env: NodeJS.ProcessEnv = process.env): ConfigProblem | undefined {
  const p = bot.puppet;
  if (p.name !== 'wechaty-puppet-service' || (p.tokenEnv && env[p.tokenEnv])) return undefined;
  return { file: bot.file, field: 'puppet.tokenEnv', message: `environment variable ${p.tokenEnv} is not set: export it with the token of bot ${bot.id}` };
}
