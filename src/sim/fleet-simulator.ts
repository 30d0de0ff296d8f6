import type { FleetConfig } from '../config/bots.js';
import type { ReferenceData } from '../config/reference.js';
import { generateWorld, type WorldOptions } from './generate-world.js';
import { startSimulator, type Simulator } from './simulator.js';
import { SimWorld } from './world.js';

export interface FleetSimulatorOptions {
  ref: ReferenceData;
  fleet: FleetConfig;
  world: Omit<WorldOptions, 'bots' | 'officers'> & { officers?: WorldOptions['officers'] };
  /** Listen where bots/*.yaml says (true) or on free loopback ports (false). @defaultValue false */
  useConfiguredEndpoints?: boolean;
}

export interface FleetSimulator {
  sim: Simulator;
  world: SimWorld;
  /** The fleet config with endpoints pointing at the simulator. */
  fleet: FleetConfig;
  /** Token environment variables (ZHIMI_BOT_…_TOKEN) for the bots. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A simulated WeChat for a fleet config: one puppet service per service bot,
 * officers from the config in the groups, tokens made up and handed back as
 * the environment variables the bots read.
 */
export async function startFleetSimulator(o: FleetSimulatorOptions): Promise<FleetSimulator> {
  const bots = o.fleet.bots
    .filter((b) => b.enabled && b.puppet.name === 'wechaty-puppet-service')
    .map((b) => ({
      ...b,
      // (port 0: the simulator listens where the system says, and the bots are pointed there below)
      puppet: { ...b.puppet, endpoint: o.useConfiguredEndpoints && b.puppet.endpoint ? b.puppet.endpoint : '127.0.0.1:0' },
    }));
  const world = new SimWorld(
    generateWorld(o.ref, {
      ...o.world,
      officers: o.world.officers ?? o.fleet.officers.map((x) => ({ id: x.id, name: x.name, ...(x.district ? { district: x.district } : {}) })),
      bots: bots.map((b) => ({ botId: b.id, name: b.name })),
    }),
  );
  const sim = await startSimulator({ world, bots: bots.map((b) => ({ botId: b.id, endpoint: b.puppet.endpoint })) });
  const env: Record<string, string> = {};
  for (const b of bots) if (b.puppet.tokenEnv) env[b.puppet.tokenEnv] = sim.endpointOf(b.id).token;
  for (const b of bots) b.puppet.endpoint = sim.endpointOf(b.id).endpoint;
  return { sim, world, fleet: { ...o.fleet, bots }, env, stop: () => sim.stop() };
}
