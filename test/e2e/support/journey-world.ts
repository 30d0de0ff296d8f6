import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openTestStore, testDbUri } from '../../support/db.js';
import { content, startSimHarness, type SimHarness } from '../../support/sim.js';
import { captureLogger } from '../../support/log.js';
import { waitFor } from '../../support/wait.js';
import { addPeople, listeningApi, type TestUser } from '../../support/api.js';
import { testContext } from '../../support/people.js';
import { systemClock } from '../../../src/config/clock.js';
import { paths } from '../../../src/config/paths.js';
import { createMemberKeyer } from '../../../src/audience/member-key.js';
import { recorderFor, type EngagementRecorder } from '../../../src/engagement/recorder.js';
import { FleetWorker } from '../../../src/worker/fleet-worker.js';
import { listGroups, tagGroup } from '../../../src/store/groups-repo.js';
import type { GroupRecord } from '../../../src/shared/groups.js';
import type { Segment } from '../../../src/shared/groups.js';
import type { Store } from '../../../src/store/connection.js';
import type { AppContext } from '../../../src/app/context.js';
import type { BotLimits } from '../../../src/config/bots.js';
import { CONSOLE_DIST, ensureConsoleBuilt } from './browser.js';

/** Real gaps, as on WeChat: a second between two posts of a bot (urgent-alert.test.ts). */
export const JOURNEY_LIMITS: BotLimits = { minGapMs: 1000, jitterMs: 0, perMinute: 60, perHour: 1000, perDay: 5000 };

/** The people of the journeys: officers of 仓山区 and the city's reviewers, publisher and analyst. */
export const J = {
  drafter: { id: 'chen.cangshan', name: '陈警官', roles: ['drafter'], scope: '仓山区' },
  drafterReviewer: { id: 'huang.city', name: '黄科长', roles: ['drafter', 'reviewer'] },
  reviewer: { id: 'zheng.review', name: '郑科长', roles: ['reviewer'] },
  publisher: { id: 'wu.publish', name: '吴警官', roles: ['publisher'] },
  analyst: { id: 'zhao.analyst', name: '赵分析', roles: ['analyst'] },
} satisfies Record<string, TestUser>;

/** The district the drafter works for, and the ones they must never see. */
export const OWN_DISTRICT = '仓山区';

/**
 * 96 simulated groups over two bots: 仓山区 has 64 (16 of each segment: more
 * than a page of the group list), 鼓楼区 and 台江区 16 each. A group's segment
 * decides its bot (segment i % 4, bot i % 2): elderly and shoppers groups are
 * alpha's, students and general groups beta's.
 */
const WORLD = { groups: 96, membersPerGroup: 8, secondBotShare: 0, districts: ['仓山区', '仓山区', '仓山区', '仓山区', '鼓楼区', '台江区'], seed: 22 };

export interface JourneyWorld {
  store: Store & { drop(): Promise<void> };
  ctx: AppContext;
  h: SimHarness;
  worker: FleetWorker;
  recorder: EngagementRecorder;
  api: { url: string; close(): Promise<void> };
  /** Every group, tagged as the simulated world says (district, station, segment). */
  groups: GroupRecord[];
  close(): Promise<void>;
}

const hhmm = (d: Date): string => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(11, 16);

/**
 * The test database, the gRPC simulator, a scheduling worker with its
 * engagement recorder (reach counters), the journeys' users, and the API
 * serving the built console.
 */
export async function startJourneyWorld(testFile: string): Promise<JourneyWorld> {
  await ensureConsoleBuilt();
  const logs = captureLogger('warn');
  const store = await openTestStore(testFile);
  const h = await startSimHarness(['alpha', 'beta'], WORLD);
  for (const b of h.config.bots) b.limits = { ...JOURNEY_LIMITS };
  // quiet hours away from now (Asia/Shanghai), so normal posts go whenever the tests run
  const quiet = { from: hhmm(new Date(Date.now() + 3 * 3_600_000)), to: hhmm(new Date(Date.now() + 4 * 3_600_000)) };
  h.config.quietHours = { elderly: { ...quiet }, default: { ...quiet } };
  const ctx = testContext(store, systemClock, logs.log);
  (ctx as { fleet: () => typeof h.config }).fleet = () => h.config;
  await addPeople(ctx, Object.values(J));
  const keyer = createMemberKeyer(ctx.env.memberKey);
  // as `zhimi fleet start` wires it (src/worker/run-worker.ts): the recorder counts what the worker's outbox holds as sent
  const recorder = recorderFor({ contentDir: paths.content, fleet: h.config, store, keyer, clock: systemClock, log: logs.log, writer: 'journey-worker', flushEveryMs: 200 });
  const worker = new FleetWorker({
    config: h.config, store, keyer, officers: { officer: async () => undefined }, log: logs.log, clock: systemClock, channel: h.channel, content,
    library: ctx.library(), approvals: ctx.keys().approvals, schedule: true, inbound: recorder, tallySession: recorder.session, workerId: 'journey-worker',
    tickMs: 200, pollMs: 50, botLeaseMs: 3000,
  });
  recorder.watchDatabase(worker.database);
  recorder.follow(worker.dispatcher);
  await recorder.start();
  await worker.start();
  await waitFor(async () => expect((await listGroups(store)).length).toBe(WORLD.groups), 90_000, 250);
  for (const room of h.world.rooms.values()) {
    await tagGroup(store, room.id, { district: room.truth.district, station: room.truth.station, segments: [room.truth.segment as Segment], taggedBy: 'setup' });
  }
  const groups = await listGroups(store);
  const api = await listeningApi(ctx, { consoleDir: CONSOLE_DIST });
  return {
    store, ctx, h, worker, recorder, api, groups,
    async close() {
      await api.close().catch(() => undefined);
      await worker.close().catch(() => undefined);
      await recorder.close().catch(() => undefined);
      await h.stop().catch(() => undefined);
      await store.drop();
    },
  };
}

/** The groups of a district and segment. */
export const groupsOf = (w: JourneyWorld, district: string, segment?: Segment): GroupRecord[] =>
  w.groups.filter((g) => g.district === district && (!segment || g.segments.includes(segment)));

/**
 * `zhimi report …` as an analyst runs it on the server machine, against the
 * test's database with the test context's member key. Spawned without
 * blocking: the worker and the API run in this process.
 */
export function zhimiReport(testFile: string, memberKey: string, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(paths.root, 'bin', 'zhimi.js'), 'report', ...args], {
      cwd: paths.root,
      env: { ...process.env, MONGODB_URI: testDbUri(testFile), ZHIMI_MEMBER_KEY: memberKey, ZHIMI_LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
