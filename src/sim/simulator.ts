import { randomBytes } from 'node:crypto';
import { PuppetServer } from 'wechaty-puppet-service';
import { SimPuppet } from './sim-puppet.js';
import { SimNetwork } from './sim-network.js';
import type { SimWorld } from './world.js';
import { freePort } from '../shared/free-port.js';

/** One simulated account served over gRPC, as a puppet service provider would. */
export interface SimEndpoint {
  botId: string;
  endpoint: string;
  token: string;
  puppet: SimPuppet;
  /** The puppet service goes away (its gRPC server shuts down; the account stays logged in), as in a network outage. */
  dropConnection(): Promise<void>;
  /** The puppet service is reachable again, at the same endpoint with the same token. */
  restoreConnection(): Promise<void>;
  /** A network partition: nothing passes between the bot and its puppet service, and nothing is closed. */
  silence(): void;
  /** The partition ends (connections held through it are reset; new ones pass). */
  heal(): void;
}

export interface SimulatorOptions {
  world: SimWorld;
  /** Where each bot's puppet service listens; a token is made when not given. */
  bots: { botId: string; endpoint: string; token?: string }[];
}

/** The running simulator. */
export interface Simulator {
  world: SimWorld;
  endpoints: SimEndpoint[];
  endpointOf(botId: string): SimEndpoint;
  stop(): Promise<void>;
}

/** A token in the form puppet services use: `<SNI>_<secret>` (the SNI selects the TLS certificate). */
export function makeToken(): string {
  return `insecure_${randomBytes(16).toString('hex')}`;
}

/**
 * Start, per bot, a `PuppetServer` (wechaty-puppet-service, gRPC with TLS and
 * token auth) in front of a {@link SimPuppet}, all sharing one world. Bots
 * reach it through a {@link SimNetwork} on the bot's endpoint, which the
 * console can cut or silence.
 */
export async function startSimulator(o: SimulatorOptions): Promise<Simulator> {
  const endpoints: SimEndpoint[] = [];
  const servers: PuppetServer[] = [];
  const networks: SimNetwork[] = [];
  // each PuppetServer's file-box registry adds one `exit` listener to the process: one per bot is expected, not a leak
  process.setMaxListeners(process.getMaxListeners() + o.bots.length);
  try {
    for (const b of o.bots) {
      const puppet = new SimPuppet({ world: o.world, botId: b.botId });
      const token = b.token ?? makeToken();
      const behind = `127.0.0.1:${await freePort()}`;
      const server = new PuppetServer({ puppet, token, endpoint: behind });
      await server.start();
      servers.push(server);
      const network = await SimNetwork.open(b.endpoint, behind);
      networks.push(network);
      let up = true;
      endpoints.push({
        botId: b.botId, endpoint: network.endpoint, token, puppet,
        async dropConnection() {
          if (!up) return;
          up = false;
          await network.cut();
          await server.stop();
        },
        async restoreConnection() {
          if (up) return;
          up = true;
          if (puppet.faults.newRoomIdsOnReconnect) o.world.reidentifyRooms();
          await server.start();
          await network.restore();
        },
        silence: () => network.silence(),
        heal: () => network.heal(),
      });
    }
  } catch (err) {
    await Promise.allSettled([...networks.map((n) => n.close()), ...servers.map((s) => s.stop())]);
    throw err;
  }
  return {
    world: o.world,
    endpoints,
    endpointOf(botId) {
      const e = endpoints.find((x) => x.botId === botId);
      if (!e) throw new Error(`simulator has no bot ${botId}`);
      return e;
    },
    async stop() {
      await Promise.allSettled([...networks.map((n) => n.close()), ...servers.map((s) => s.stop())]);
      process.setMaxListeners(Math.max(10, process.getMaxListeners() - o.bots.length));
      await Promise.allSettled(endpoints.map((e) => (e.puppet.isLoggedIn || e.puppet.state.active() ? e.puppet.stop() : undefined)));
    },
  };
}
