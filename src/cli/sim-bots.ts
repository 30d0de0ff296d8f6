import type { FleetConfig } from '../config/bots.js';

/**
 * The bots `zhimi sim --bots k` serves: the first k of bots/, then extra
 * `sim-NN` bots on the ports after the last configured one.
 */
export function testBotsFor(fleet: FleetConfig, k: number): FleetConfig {
  const service = fleet.bots.filter((b) => b.puppet.name === 'wechaty-puppet-service');
  const bots = service.slice(0, k);
  const ports = service.map((b) => Number(b.puppet.endpoint?.split(':').pop() ?? 8787));
  let port = Math.max(8787, ...ports);
  for (let i = bots.length; i < k; i++) {
    const id = `sim-${String(i + 1).padStart(2, '0')}`;
    port++;
    bots.push({
      ...fleet.bots[0]!,
      id,
      name: `模拟宣传员${i + 1}`,
      file: `(simulator) ${id}`,
      puppet: { name: 'wechaty-puppet-service', endpoint: `127.0.0.1:${port}`, tokenEnv: `ZHIMI_BOT_SIM${String(i + 1).padStart(2, '0')}_TOKEN` },
    });
  }
  return { ...fleet, bots };
}
