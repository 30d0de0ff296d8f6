import { describe, expect, it, vi } from 'vitest';
import { generateWorld } from '../../../src/sim/generate-world.js';
import { SimWorld } from '../../../src/sim/world.js';
import { SIM_HEARTBEAT_MS, SimPuppet } from '../../../src/sim/sim-puppet.js';
import { reference } from '../../support/sim.js';

describe('SimPuppet', () => {
  it('should beat while logged in, as a live puppet service does, and stop beating when stopped', async () => {
    const world = new SimWorld(generateWorld(reference, { groups: 2, membersPerGroup: 3, bots: [{ botId: 'a', name: '宣传员' }], seed: 1 }));
    const puppet = new SimPuppet({ world, botId: 'a' });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const loggedIn = new Promise((resolve) => puppet.once('login', resolve));
      await puppet.start();
      await loggedIn;
      const beats: unknown[] = [];
      puppet.on('heartbeat', (h) => void beats.push(h));
      vi.advanceTimersByTime(4 * SIM_HEARTBEAT_MS);
      expect(beats.length).toBeGreaterThanOrEqual(4);
      await puppet.stop();
      const before = beats.length;
      vi.advanceTimersByTime(4 * SIM_HEARTBEAT_MS);
      expect(beats.length).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });
});
