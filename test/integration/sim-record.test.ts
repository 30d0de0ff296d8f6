import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimHarness, type SimHarness } from '../support/sim.js';
import { waitFor } from '../support/wait.js';
import { paths } from '../../src/config/paths.js';
import { loadFleetConfig } from '../../src/config/bots.js';
import { startSimConsole } from '../../src/sim/sim-console.js';
import { recordMessages, type RecordedMessage } from '../../src/sim/record.js';
import { judgeRecord } from '../../src/sim/judge-record.js';

describe('zhimi sim shows what each group received', () => {
  let h: SimHarness;
  const dir = mkdtempSync(join(tmpdir(), 'zhimi-record-'));
  const file = join(dir, 'record.jsonl');
  let stopRecording: () => Promise<void>;

  beforeAll(async () => {
    h = await startSimHarness(['alpha', 'beta'], { groups: 3, membersPerGroup: 4, secondBotShare: 0, seed: 51 });
    stopRecording = recordMessages(h.world, file);
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should record every message with time, group, bot and text, judge duplicates and gaps from it, and list it on the console', async () => {
    const [r0, r1] = [...h.world.rooms.values()];
    const alpha = h.world.botContactId('alpha');
    const inRoom = (r: typeof r0) => r!.memberIds.includes(alpha);
    const room = [r0, r1].find(inRoom) ?? [...h.world.rooms.values()].find(inRoom)!;
    const t0 = Date.now();
    h.world.post({ roomId: room.id, talkerId: alpha, text: '【演示】请勿转账', mentionIds: [], timestamp: t0 });
    h.world.post({ roomId: room.id, talkerId: alpha, text: '【演示】请勿转账', mentionIds: [], timestamp: t0 + 400 });
    h.world.post({ roomId: room.id, talkerId: room.memberIds.find((id) => h.world.contacts.get(id)?.kind === 'member')!, text: '收到', mentionIds: [] });
    await stopRecording();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RecordedMessage);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ t: t0, at: new Date(t0).toISOString(), room: room.id, topic: room.topic, from: 'alpha', text: '【演示】请勿转账' });
    expect(lines[2]).toMatchObject({ room: room.id, from: 'member', text: '收到' });
    const verdict = judgeRecord(lines, { bots: new Set(['alpha', 'beta']), minGapMs: 1000 });
    expect(verdict).toMatchObject({ posts: 2, duplicates: [{ room: room.id, text: '【演示】请勿转账', extra: 1 }], smallestGapMs: 400 });
    expect(verdict.gapViolations).toEqual([{ bot: 'alpha', gapMs: 400, at: new Date(t0 + 400).toISOString() }]);

    const input = new PassThrough();
    const output = new PassThrough();
    let said = '';
    output.on('data', (c) => (said += String(c)));
    const close = startSimConsole(h.sim, input, output);
    input.write('received\n');
    await waitFor(() => expect(said).toContain(`${room.topic}: 2 (alpha 2)`));
    expect(said).toMatch(/1 of 3 groups got any/);
    input.write(`received ${room.topic}\n`);
    await waitFor(() => expect(said).toContain(`${room.topic} (${room.id}): 2 message(s) from the fleet`));
    expect(said).toContain(`${new Date(t0 + 400).toISOString()}  alpha  【演示】请勿转账`);
    close();
  });
});

describe('zhimi sim --bots beyond those of bots/', () => {
  it('should write the YAML of every bot it serves to a folder a worker can run, and say how', async () => {
    const out = mkdtempSync(join(tmpdir(), 'zhimi-sim-bots-'));
    const record = join(out, 'record.jsonl');
    const child = spawn(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), 'sim', '--bots', '5', '--groups', '3', '--members-per-group', '3', '--bots-out', join(out, 'bots'), '--record', record], {
      cwd: paths.root, env: { ...process.env, ZHIMI_LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let said = '';
    child.stdout.on('data', (d) => (said += String(d)));
    child.stderr.on('data', (d) => (said += String(d)));
    try {
      await waitFor(() => expect(said).toContain('Ctrl-C stops the simulator'), 40_000);
      expect(said).toMatch(/bots\/ has 3 of these 5 bots: all their YAML is in .*bots \(sim-04, sim-05 written there\)/);
      expect(said).toContain(`npx zhimi --bots-dir ${join(out, 'bots')} fleet start`);
      expect(said).toMatch(/export ZHIMI_BOT_SIM05_TOKEN=insecure_/);
      const fleet = loadFleetConfig(join(out, 'bots'));
      expect(fleet.bots.map((b) => b.id).sort()).toEqual(['cangshan-01', 'gulou-01', 'minhou-01', 'sim-04', 'sim-05']);
      expect(readdirSync(join(out, 'bots')).sort()).toContain('fleet.yaml');
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
