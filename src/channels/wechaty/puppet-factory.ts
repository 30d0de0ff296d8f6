import './wechaty-log-early.js'; // before the puppet service's modules load: see there
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type * as PUPPET from 'wechaty-puppet';
import { PuppetService } from 'wechaty-puppet-service';
import { allowedPuppets, puppetNotAllowed, type BotConfig } from '../../config/bots.js';
import { isDevelopment } from '../../config/env.js';
import { ConfigError, type ConfigProblem } from '../../config/errors.js';
import { keepPayloadsInMemory } from './memory-payload-store.js';
import { rememberSecret } from '../../log/secrets.js';

/** Makes the puppet of a bot; tests pass their own. */
export type PuppetFactory = (bot: BotConfig) => Promise<PUPPET.impls.PuppetInterface>;

/** wechaty-puppet-service's token prefix that selects its published, insecure server certificate. */
const INSECURE_TOKEN = /^insecure_/i;

/**
 * How many messages a puppet keeps the payloads of (wechaty-puppet's cache;
 * up to twice as many in its two generations). Wechaty reads a message's
 * payload once, when the message comes, and Zhimi never looks one up again;
 * the default of 500 kept the echo of each of a bot's last 500 to 1,000 posts:
 * 200 bots after a run to 69,000 groups held 69,000 post texts.
 */
export const MESSAGE_CACHE = { message: 20 } as const;

/**
 * The production factory: `wechaty-puppet-service` with the endpoint from the
 * bot's YAML, the token from the environment variable it names and the
 * connection's CA and server name (`puppet.tls`; its payload cache kept in
 * memory, see memory-payload-store.ts); any other puppet is loaded by its npm
 * name with `puppet.options`, and only when it is on the allow-list
 * (wechaty-puppet-service, wechaty-puppet-mock, and ZHIMI_ALLOWED_PUPPETS):
 * `import()` runs whatever it is given, a `data:` text or a path included.
 */
export function defaultPuppetFactory(env: NodeJS.ProcessEnv = process.env): PuppetFactory {
  return async (bot) => {
    const p = bot.puppet;
    const refused = puppetNotAllowed(p.name, allowedPuppets(env));
    if (refused) throw new ConfigError([{ file: bot.file, field: 'puppet.name', message: refused }]);
    if (p.name === 'wechaty-puppet-service') {
      const problem = missingToken(bot, env) ?? insecureConnection(bot, env);
      if (problem) throw new ConfigError([problem]);
      const token = env[p.tokenEnv!]!;
      rememberSecret(token);
      const tls = p.tls && p.tls !== 'insecure' ? { tls: { caCert: readCa(bot, p.tls.caFile), serverName: p.tls.serverName } } : {};
      const client = new PuppetService({ cache: MESSAGE_CACHE, ...(p.options ?? {}), endpoint: p.endpoint, token, ...tls });
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
    return new Ctor({ cache: MESSAGE_CACHE, ...(p.options ?? {}), ...(token ? { token } : {}) });
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

/**
 * Why a puppet-service connection would not be trustworthy outside
 * development: no CA and server name of its own (`puppet.tls`, or
 * WECHATY_PUPPET_SERVICE_TLS_CA_CERT and _SERVER_NAME), so it trusts the CA
 * bundled with wechaty-puppet-service, whose `insecure_` server key is
 * published; or TLS switched off. `puppet.tls: insecure` accepts that
 * explicitly. Undefined when the connection is fine (or in development).
 */
export function insecureConnection(bot: BotConfig, env: NodeJS.ProcessEnv = process.env): ConfigProblem | undefined {
  const p = bot.puppet;
  if (p.name !== 'wechaty-puppet-service' || p.tls === 'insecure' || isDevelopment(env)) return undefined;
  if (env['WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT'] === 'true') {
    return { file: bot.file, field: 'puppet.tls', message: 'WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT=true turns TLS off: refused outside development unless the bot says tls: insecure' };
  }
  if (p.tls) return undefined;
  const fromEnv = env['WECHATY_PUPPET_SERVICE_TLS_CA_CERT'] && env['WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME'];
  if (fromEnv) return undefined;
  const token = p.tokenEnv ? env[p.tokenEnv] : undefined;
  const why = token && INSECURE_TOKEN.test(token)
    ? `the token in ${p.tokenEnv} is an insecure_ token (the puppet service's key for it is published)`
    : 'the connection would trust the CA bundled with wechaty-puppet-service';
  return {
    file: bot.file,
    field: 'puppet.tls',
    message: `is required outside development: ${why}. Give tls: { caFile: <your puppet service's CA, PEM>, serverName: <the name in its certificate> } (or WECHATY_PUPPET_SERVICE_TLS_CA_CERT and WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME), or tls: insecure to accept it explicitly`,
  };
}

function readCa(bot: BotConfig, caFile: string): string {
  const path = resolve(dirname(bot.file), caFile);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file: bot.file, field: 'puppet.tls.caFile', message: `cannot read ${path}: ${(err as Error).message}` }]);
  }
}
