import type { BotConfig, FleetConfig } from '../../src/config/bots.js';
import type { ReferenceData } from '../../src/config/reference.js';
import { loadGroupContent, type GroupContentBundle } from '../../src/config/content-bundle.js';
import { paths } from '../../src/config/paths.js';
import type { WorldOptions } from '../../src/sim/generate-world.js';
import type { SimWorld } from '../../src/sim/world.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { startFleetSimulator } from '../../src/sim/fleet-simulator.js';
import { defaultPuppetFactory, type PuppetFactory } from '../../src/channels/wechaty/puppet-factory.js';
import { wechatyChannel } from '../../src/channels/wechaty/wechaty-channel.js';
import type { ChannelFactory } from '../../src/channels/channel.js';

export const content: GroupContentBundle = loadGroupContent(paths.content);
export const reference: ReferenceData = content.ref;

export const TEST_OFFICER = { id: 'officer-test-wang', name: '王警官' };

/** A bot config for tests: gRPC to the simulator, token from the environment. */
export function testBot(id: string, extra: Partial<BotConfig> = {}): BotConfig {
  return {
    id,
    name: `测试宣传员${id}`,
    file: `bots/${id}.yaml`,
    enabled: true,
    puppet: { name: 'wechaty-puppet-service', endpoint: '127.0.0.1:1', tokenEnv: `ZHIMI_BOT_${id.replace(/\W/g, '').toUpperCase()}_TOKEN` },
    limits: { minGapMs: 150, jitterMs: 0, perMinute: 60, perHour: 1000, perDay: 5000 },
    ...extra,
  };
}

export function testFleetConfig(bots: BotConfig[]): FleetConfig {
  return {
    dir: 'bots',
    displayName: '反诈宣传员',
    limits: { minGapMs: 150, jitterMs: 0, perMinute: 60, perHour: 1000, perDay: 5000 },
    fleet: { perMinute: 600 },
    quietHours: { elderly: { from: '21:30', to: '07:30' }, default: { from: '23:00', to: '07:00' } },
    officers: [TEST_OFFICER],
    scamCheck: { perMember: 3, windowMinutes: 10, maxChars: 500 },
    engagement: { windowMinutes: 120 },
    bots,
  };
}

export interface SimHarness {
  sim: Simulator;
  world: SimWorld;
  config: FleetConfig;
  env: NodeJS.ProcessEnv;
  puppetFactory: PuppetFactory;
  /** WeChat through Wechaty over the simulator's puppet services. */
  channel: ChannelFactory;
  stop(): Promise<void>;
}

/** Start the gRPC simulator for `botIds` and give back a matching fleet config and puppet factory. */
export async function startSimHarness(botIds: string[], world: Omit<WorldOptions, 'bots'>): Promise<SimHarness> {
  const fs = await startFleetSimulator({ ref: reference, fleet: testFleetConfig(botIds.map((id) => testBot(id))), world });
  const env: NodeJS.ProcessEnv = { ...fs.env };
  const puppetFactory = defaultPuppetFactory(env);
  return { sim: fs.sim, world: fs.world, config: fs.fleet, env, puppetFactory, channel: wechatyChannel(puppetFactory), stop: fs.stop };
}
