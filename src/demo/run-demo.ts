import { randomUUID } from 'node:crypto';
import type { FleetConfig } from '../config/bots.js';
import type { GroupContentBundle } from '../config/content-bundle.js';
import { systemClock, shanghaiDay } from '../config/clock.js';
import type { ZhimiEnv } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { createMemberKeyer } from '../audience/member-key.js';
import { openDatabase } from '../store/open-database.js';
import { listGroups } from '../store/groups-repo.js';
import { insertPlanned, countByStatus, runReach } from '../store/deliveries-repo.js';
import { startFleetSimulator } from '../sim/fleet-simulator.js';
import { Fleet } from '../fleet/fleet.js';
import { defaultPuppetFactory } from '../fleet/puppet-factory.js';
import { assignBots } from '../delivery/assign-bots.js';
import { selectGroups } from '../audience/select-groups.js';
import { Dispatcher } from '../delivery/dispatcher.js';
import { formatRows, type Row } from '../reports/format.js';
import { progressReporter } from './progress.js';
import { officersBringBotsIn } from './officers-bring-bots-in.js';

export interface DemoOptions {
  env: ZhimiEnv;
  fleet: FleetConfig;
  content: GroupContentBundle;
  stateDir: string;
  log: Logger;
  /** Groups in the simulated world. @defaultValue 36 */
  groups?: number;
  membersPerGroup?: number;
  /** Divide the bots' sending gaps by this (the demo is accelerated). @defaultValue 20 */
  speedup?: number;
  out?: (line: string) => void;
}

export interface DemoResult {
  planned: number;
  sent: number;
  failed: number;
  reach: number;
  seconds: number;
}

const DEMO_DISTRICTS = ['鼓楼区', '仓山区', '闽侯县', '台江区', '晋安区', '长乐区'];
const DEMO_POST = [
  '【反诈提醒】{district}的街坊朋友们：',
  '凡是陌生来电自称“客服”说要给您退款、理赔，或者让您下载会议软件、开启屏幕共享的，都是诈骗！',
  '记住：不点陌生链接，不透露验证码，不向陌生账户转账。',
  '拿不准就挂断电话，拨打96110咨询；已经转账请立即拨打110。请安装“国家反诈中心”APP。',
].join('\n');

/**
 * The demo: development database, a simulated WeChat with the shipped bots,
 * login, group registration, one post to every group through the outbox, and
 * a summary of what was delivered and reached.
 */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const out = o.out ?? ((line: string) => process.stdout.write(line + '\n'));
  const started = Date.now();
  const clock = systemClock;
  const keyer = createMemberKeyer(o.env.memberKey);
  out('织密 Zhimi demo: a simulated WeChat, the shipped bots, the real database and delivery pipeline.');

  const db = await openDatabase({ mongoUri: o.env.mongoUri, stateDir: o.stateDir, log: o.log, dbName: 'zhimi_demo' });
  await db.store.connection.db!.dropDatabase();
  await Promise.all(Object.values(db.store.models).map((m) => m.createIndexes()));
  out(`database: ${db.description} (database zhimi_demo, emptied)`);

  const simulator = await startFleetSimulator({
    ref: o.content.ref,
    fleet: o.fleet,
    world: { groups: o.groups ?? 36, membersPerGroup: o.membersPerGroup ?? 80, districts: DEMO_DISTRICTS, seed: 2026, botsJoined: false },
  });
  const fleet = new Fleet({
    config: simulator.fleet,
    store: db.store,
    keyer,
    log: o.log,
    clock,
    puppetFactory: defaultPuppetFactory({ ...process.env, ...simulator.env }),
    content: o.content,
  });
  try {
    out(`simulator: ${simulator.world.rooms.size} groups, ${simulator.sim.endpoints.length} bots over gRPC (wechaty-puppet-service)`);
    const login = await fleet.start();
    out(`bots logged in: ${login.online.join(', ')}${login.failed.length ? `; failed: ${login.failed.map((f) => f.botId).join(', ')}` : ''}`);

    // A resident (not an officer) tries to pull a bot into a group: refused.
    const world = simulator.world;
    const someRoom = [...world.rooms.values()][0]!;
    const stranger = someRoom.memberIds.find((id) => world.contacts.get(id)?.kind === 'member')!;
    world.invite(someRoom.id, stranger, world.botContactId(someRoom.truth.botIds[0]!));
    out('a resident invited a bot into a group: declined (only authorised officers can bring bots in)');

    // Officers invite the bots into their groups and tag each group in the chat.
    const joinProgress = progressReporter('officers inviting and tagging', world.rooms.size);
    let joined = 0;
    await officersBringBotsIn(world, db.store, { onGroup: () => joinProgress.tick(++joined) });
    joinProgress.end();
    const groups = selectGroups(await listGroups(db.store), { segments: ['elderly', 'students', 'shoppers', 'general'], districts: ['all'] });
    const intros = [...world.messages.values()].filter((m) => m.text.includes('我每周会在群里发几次防骗提醒')).length;
    out(`groups registered through officer invitations and 登记 commands: ${groups.length} active, ${intros} introductions posted`);

    const runId = `demo-${shanghaiDay(clock.now())}-${randomUUID().slice(0, 8)}`;
    const online = new Set(fleet.onlineBots().map((r) => r.bot.id));
    const { assigned, unserved } = assignBots(groups, online);
    const now = clock.now();
    await insertPlanned(
      db.store,
      assigned.map(({ group, botId }) => ({
        runId,
        campaignId: 'demo',
        groupId: group.id,
        roomId: group.roomId,
        botId,
        postId: 'demo-refund-call',
        contentHash: 'demo',
        text: DEMO_POST.replace('{district}', group.district ?? ''),
        priority: 0,
        notBefore: now,
      })),
    );
    if (unserved.length) out(`groups with no online bot: ${unserved.length}`);

    const speedup = o.speedup ?? 20;
    const dispatcher = new Dispatcher({
      store: db.store,
      clock,
      log: o.log,
      workerId: `demo-${process.pid}`,
      runnerOf: (id) => fleet.runner(id),
      botContactIds: () => fleet.botContactIds(),
      gapMs: (botId) => {
        const l = simulator.fleet.bots.find((b) => b.id === botId)!.limits;
        return Math.round((l.minGapMs + Math.random() * l.jitterMs) / speedup);
      },
    });
    const progress = progressReporter('delivering', assigned.length);
    let done = 0;
    let reach = 0;
    dispatcher.on('delivery:sent', (e) => progress.tick(++done, `reached ${(reach += e.reach)}`));
    dispatcher.on('delivery:failed', () => progress.tick(++done));
    out(`sending ${assigned.length} posts (gaps ${speedup}× faster than bots/*.yaml for the demo) …`);
    await dispatcher.drain([...online]);
    progress.end();

    const counts = await countByStatus(db.store, runId);
    const totals = await runReach(db.store, runId);
    const delivered = new Set(simulator.world.postsByRoom());
    const byKey = new Map<string, Row>();
    for (const g of groups) {
      const key = `${g.district}|${g.segments.join(',')}`;
      const row = byKey.get(key) ?? { district: g.district ?? '', segment: g.segments.join(','), groups: 0, delivered: 0, members: 0 };
      row['groups'] = Number(row['groups']) + 1;
      if (delivered.has(g.roomId)) {
        row['delivered'] = Number(row['delivered']) + 1;
        row['members'] = Number(row['members']) + g.memberCount;
      }
      byKey.set(key, row);
    }
    out('');
    out(formatRows([...byKey.values()].sort((a, b) => String(a['district']).localeCompare(String(b['district']))), 'table'));
    out('');
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    out(`delivered ${totals.sent}/${assigned.length} posts, reached ${totals.reach} members (bots excluded); failed ${counts.failed}, unknown ${counts.unknown}; ${seconds} s`);
    return { planned: assigned.length, sent: totals.sent, failed: counts.failed, reach: totals.reach, seconds };
  } finally {
    await fleet.close();
    await simulator.stop();
    await db.close();
  }
}
