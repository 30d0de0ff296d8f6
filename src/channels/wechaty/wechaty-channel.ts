import type { ChannelFactory } from '../channel.js';
import { BotRunner, type BotRunnerTuning } from './bot-runner.js';
import { defaultPuppetFactory, type PuppetFactory } from './puppet-factory.js';

/**
 * WeChat through Wechaty: each bot a Wechaty over its puppet (production: a
 * puppet service over gRPC, endpoint and token from the bot's YAML and the
 * environment). `tuning`: how bots log in, reconnect and watch their service
 * (production defaults; tests shorten them).
 */
export function wechatyChannel(puppetFactory: PuppetFactory = defaultPuppetFactory(), tuning: BotRunnerTuning = {}): ChannelFactory {
  return async (bot, deps) =>
    new BotRunner({
      bot, puppet: await puppetFactory(bot), keyer: deps.keyer, log: deps.log, isFleetBot: deps.isFleetBot, ...tuning,
      ...(deps.pacing ? { pacing: deps.pacing } : {}),
      ...(deps.onReplyFailed ? { onReplyFailed: deps.onReplyFailed } : {}),
    });
}
