import { readFileSync } from 'node:fs';
import type { FleetConfig } from '../config/bots.js';
import type { GroupContentBundle } from '../config/content-bundle.js';
import type { Post } from '../content/post-schema.js';
import { loadCampaignDir } from '../campaigns/campaign-files.js';
import { loadKeys } from '../config/keys.js';
import { DEMO_REACTIONS } from './demo-reactions.js';
import { createAppContext } from '../app/context.js';
import { addUser, LOCAL_OPERATOR } from '../app/users.js';
import { buildApi } from '../api/server.js';
import { CONSOLE_DIR } from '../api/serve-api.js';
import { usersDirectory } from '../worker/officer-directory.js';
import { demoUsers, signInAs, type DemoUser } from './demo-users.js';
import { CampaignScheduler } from '../campaigns/scheduler.js';
import { nextDue } from '../campaigns/next-due.js';
import { JumpingClock } from './jumping-clock.js';
import type { ZhimiEnv } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { ensureIndexes, type Store } from '../store/connection.js';
import type { SimWorld } from '../sim/world.js';
import { createMemberKeyer } from '../audience/member-key.js';
import { openDatabase } from '../store/open-database.js';
import { listGroups } from '../store/groups-repo.js';
import { countByStatus, runReach, sentRoomIds } from '../outbox/outbox.js';
import { startFleetSimulator } from '../sim/fleet-simulator.js';
import { Fleet } from '../fleet/fleet.js';
import { defaultPuppetFactory } from '../channels/wechaty/puppet-factory.js';
import { selectGroups } from '../audience/select-groups.js';
import { Dispatcher } from '../delivery/dispatcher.js';
import { Limiters } from '../delivery/limiters.js';
import { formatRows, type Row } from '../reports/format.js';
import { progressReporter } from './progress.js';
import { ScriptedMembers, type BehaviourTruth } from '../sim/member-behaviour.js';
import { recorderFor, type EngagementRecorder } from '../engagement/recorder.js';
import { GroupCache } from '../audience/group-cache.js';
import { startLinkServer } from '../api/link-server.js';
import { loadScamTypes } from '../content/library.js';
import { composeInbound } from '../fleet/group-membership.js';
import { shanghaiDay } from '../config/clock.js';
import { engagementReport, postsReport, reachReport, uniqueReachTotal } from '../reports/reports.js';
import { createScamDesk } from '../scamcheck/desk.js';
import { askBot } from '../sim/ask-bot.js';
import { countTips } from '../store/tips-repo.js';
import { officersBringBotsIn } from './officers-bring-bots-in.js';
import { planOutbox } from '../outbox/plan-outbox.js';
import { wechatyChannel } from '../channels/wechaty/wechaty-channel.js';

export interface DemoOptions {
  env: ZhimiEnv;
  fleet: FleetConfig;
  content: GroupContentBundle;
  library: Post[];
  /** content/ (rule data of the scam check) */
  contentDir: string;
  /** content/campaigns */
  campaignDir: string;
  stateDir: string;
  log: Logger;
  /** Groups in the simulated world. @defaultValue 36 */
  groups?: number;
  membersPerGroup?: number;
  /** Divide the bots' sending gaps by this (the demo is accelerated). @defaultValue 20 */
  speedup?: number;
  out?: (line: string) => void;
  /** At the end, keep serving the console with the demo's users until this resolves (a terminal: until Ctrl-C). @defaultValue end at once */
  serveUntil?: (url: string) => Promise<void>;
}

export interface DemoResult {
  planned: number;
  sent: number;
  failed: number;
  reach: number;
  seconds: number;
  /** What the simulated members really did. */
  truth: BehaviourTruth;
  /** The report period (Asia/Shanghai days). */
  from: string;
  to: string;
  /** The demo's users and the passwords made for them. */
  users: DemoUser[];
}


const DEMO_DISTRICTS = ['鼓楼区', '仓山区', '闽侯县', '台江区', '晋安区', '长乐区'];

/**
 * The demo: development database, a simulated WeChat with the shipped bots,
 * login, group registration, one post to every group through the outbox, and
 * a summary of what was delivered and reached.
 */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const out = o.out ?? ((line: string) => process.stdout.write(line + '\n'));
  const started = Date.now();
  const clock = new JumpingClock();
  const keyer = createMemberKeyer(o.env.memberKey);
  out('织密 Zhimi demo: a simulated WeChat, the shipped bots, the real database and delivery pipeline.');

  const db = await openDatabase({ mongoUri: o.env.mongoUri, stateDir: o.stateDir, log: o.log, dbName: 'zhimi_demo' });
  await db.store.connection.db!.dropDatabase();
  await ensureIndexes(db.store);
  out(`database: ${db.description} (database zhimi_demo, emptied)`);

  const simulator = await startFleetSimulator({
    ref: o.content.ref,
    fleet: o.fleet,
    world: { groups: o.groups ?? 36, membersPerGroup: o.membersPerGroup ?? 80, districts: DEMO_DISTRICTS, seed: 2026, botsJoined: false },
  });
  const members = new ScriptedMembers(DEMO_REACTIONS, { seed: 2026 });
  simulator.world.behaviour = members;
  // the people: officers bound to their WeChat accounts in the simulated world, a reviewer and an analyst; everything they
  // do goes through the HTTP API as them
  // the demo's database is its own (zhimi_demo, emptied): development keys, whichever server holds it
  const keys = loadKeys({ env: {}, stateDir: o.stateDir, devDatabase: true });
  const ctx = createAppContext({ log: o.log, clock, env: o.env, store: db.store, botsDir: o.fleet.dir, contentDir: o.contentDir, keys });
  const users: DemoUser[] = [];
  for (const u of demoUsers(o.fleet)) users.push({ ...u, password: (await addUser(ctx, LOCAL_OPERATOR, u)).password! });
  const api = await buildApi({ ctx, consoleDir: CONSOLE_DIR, secureCookies: true });
  // the console at the usual address when it is free (zhimi serve's), else at any free port
  const apiUrl = await api.listen({ host: '127.0.0.1', port: o.serveUntil ? 8080 : 0 }).catch(() => api.listen({ host: '127.0.0.1', port: 0 }));
  out(`users: ${users.map((u) => `${u.id} (${u.name}, ${u.roles.join('+')})`).join(', ')}; the API at ${apiUrl}`);
  const groupCache = new GroupCache(db.store, clock);
  const recorder = recorderFor({ contentDir: o.contentDir, fleet: o.fleet, store: db.store, keyer, clock, log: o.log, writer: `demo-${process.pid}`, flushEveryMs: 200, groups: groupCache });
  const links = await startLinkServer({ recorder, library: o.library, allowedDomains: loadScamTypes(o.contentDir).allowedLinkDomains, log: o.log, port: 0 });
  // accelerated: the bots' gaps (posts and replies alike) shrink with the clock's speed-up
  const speedup = o.speedup ?? 20;
  const limiters = new Limiters(o.fleet);
  const dispatcher: Dispatcher = new Dispatcher({
    store: db.store,
    clock,
    log: o.log,
    workerId: `demo-${process.pid}`,
    runnerOf: (id) => fleet.runner(id),
    botNotInGroup: (botId, groupId) => fleet.botMissingFromGroup(botId, groupId),
    limitsOf: (botId) => simulator.fleet.bots.find((b) => b.id === botId)!.limits,
    limiters,
    gapScale: speedup,
  });
  const fleet: Fleet = new Fleet({
    config: simulator.fleet,
    store: db.store,
    keyer,
    log: o.log,
    clock,
    channel: wechatyChannel(defaultPuppetFactory({ ...process.env, ...simulator.env })),
    content: o.content,
    pacing: dispatcher,
    officers: usersDirectory(db.store, clock),
    inbound: composeInbound(
      createScamDesk({ contentDir: o.contentDir, fleet: o.fleet, messages: o.content.messages, hotline: o.content.ref.hotline, store: db.store, keyer, clock, log: o.log, groups: groupCache }),
      recorder,
    ),
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

    // The city's publicity officer submits the shipped campaigns through the API; the reviewer (someone else) approves each
    // version they saw, through the API too.
    const drafter = users.find((u) => u.roles.includes('drafter') && !u.scope)!;
    const reviewer = users.find((u) => u.roles.includes('reviewer'))!;
    const asDrafter = await signInAs(apiUrl, drafter);
    const asReviewer = await signInAs(apiUrl, reviewer);
    const campaignFiles = loadCampaignDir(o.campaignDir);
    for (const cf of campaignFiles) {
      const submitted = await asDrafter<{ version: number; errors: string[] }>('POST', '/api/campaigns', { yaml: readFileSync(cf.file, 'utf8'), source: cf.file, reason: 'demo' });
      if (submitted.errors.length) throw new Error(`${cf.file}: ${submitted.errors.join('; ')}`);
      await asReviewer('POST', `/api/campaigns/${cf.def.id}/approve`, { version: submitted.version, reason: 'demo: reviewed' });
    }
    out(`campaigns submitted by ${drafter.name} and approved by ${reviewer.name}, each version sealed: ${campaignFiles.map((c) => c.def.id).join(', ')}`);

    const online = new Set(fleet.onlineBots().map((r) => r.bot.id));
    const scheduler = new CampaignScheduler({
      store: db.store, clock, log: o.log, workerId: `demo-${process.pid}`, library: o.library, approvals: ctx.keys().approvals,
      ref: o.content.ref, fleet: o.fleet, onlineBotIds: async () => online, linkBase: links.url, outbox: planOutbox(db.store),
    });
    dispatcher.on('delivery:sent', (e) => void recorder.onSent(e));
    const runIds: string[] = [];
    let firstDay: string | undefined;
    // Accelerated time: jump the clock to each campaign's next due time and let its run go through.
    for (const cf of campaignFiles) {
      const due = nextDue(cf.def, clock.now());
      if (!due) continue;
      clock.jumpTo(due);
      firstDay ??= shanghaiDay(clock.now());
      const runId = await scheduler.fire(cf.def.id, due);
      if (!runId) continue;
      runIds.push(runId);
      const counts0 = await countByStatus(db.store, runId);
      const progress = progressReporter(`${cf.def.id} (due ${due.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16)})`, counts0.planned);
      let done = 0;
      let reached = 0;
      const onSent = (e: { reach: number }): void => progress.tick(++done, `reached ${(reached += e.reach)}`);
      const onFailed = (): void => progress.tick(++done);
      dispatcher.on('delivery:sent', onSent);
      dispatcher.on('delivery:failed', onFailed);
      await dispatcher.drain([...online]);
      dispatcher.off('delivery:sent', onSent);
      dispatcher.off('delivery:failed', onFailed);
      progress.end();
      // residents react within seconds: let every reaction arrive before the clock jumps to the next campaign
      await reactionsSettled(members, recorder);
    }
    await recorder.flush();
    scheduler.close();
    await limiters.close();
    // targeted = every delivery of the runs except the groups the caps ruled out
    let targeted = 0;
    const totals = { sent: 0, reach: 0 };
    const counts = { failed: 0, unknown: 0, skipped: 0 };
    for (const id of runIds) {
      const c = await countByStatus(db.store, id);
      const r = await runReach(db.store, id);
      targeted += c.sent + c.failed + c.unknown + c.planned + c.sending;
      counts.failed += c.failed;
      counts.unknown += c.unknown;
      counts.skipped += c.skipped;
      totals.sent += r.sent;
      totals.reach += r.reach;
    }
    // groups whose campaign post the database records as sent (introductions do not count)
    const delivered = new Set((await sentRoomIds(db.store, runIds)));
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
    await residentsAskTheBot(world, db.store, out);
    out('');
    const period = { from: firstDay ?? shanghaiDay(clock.now()), to: shanghaiDay(clock.now()) };
    out(`residents reacted: ${members.truth.reply} replies, ${members.truth.mention} mentions, ${members.truth.question} questions, ${members.truth.keyword} keywords, ${members.truth.click} link clicks (the simulator's count)`);
    out('');
    out(`report for analysts (\`zhimi report reach --by segment --from ${period.from} --to ${period.to}\`):`);
    out(formatRows(await reachReport(db.store, { ...period, by: ['segment'] }), 'table'));
    const u = await uniqueReachTotal(db.store, period);
    out(`all segments: ${u.members} distinct residents in ${u.groups} groups`);
    out('');
    out(`engagement by segment (\`zhimi report engagement --by segment …\`):`);
    out(formatRows(await engagementReport(db.store, { ...period, by: ['segment'] }), 'table'));
    out('');
    out('top posts (`zhimi report posts …`):');
    out(formatRows(await postsReport(db.store, { ...period, top: 5 }), 'table'));
    out('');
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    out(`delivered ${totals.sent}/${targeted} posts in ${runIds.length} campaign runs, reached ${totals.reach} members (bots excluded); failed ${counts.failed}, unknown ${counts.unknown}, skipped ${counts.skipped}; ${seconds} s`);
    if (o.serveUntil) {
      out('');
      out(`the console: ${apiUrl} — sign in as one of the demo's users (database zhimi_demo; Ctrl-C ends the demo):`);
      out(formatRows(users.map((u) => ({ user: u.id, password: u.password, name: u.name, roles: u.roles.join(', '), scope: u.scope ?? '全市 (city)' })), 'table'));
      await o.serveUntil(apiUrl);
    }
    return { planned: targeted, sent: totals.sent, failed: counts.failed, reach: totals.reach, seconds, truth: { ...members.truth }, ...period, users };
  } finally {
    await api.close();
    await fleet.close();
    await recorder.close();
    await links.close();
    await simulator.stop();
    await ctx.close();
    await db.close();
  }
}

/** Two residents ask the scam check, one in a group and one privately; the answers are shown. */
async function residentsAskTheBot(world: SimWorld, store: Store, out: (line: string) => void): Promise<void> {
  const room = [...world.rooms.values()].find((r) => r.truth.segment === 'elderly') ?? [...world.rooms.values()][0]!;
  const member = room.memberIds.find((id) => world.contacts.get(id)?.kind === 'member')!;
  const botId = room.truth.botIds[0]!;
  const asks = [
    { roomId: room.id, text: '刚才有人打电话说我快递丢了要赔我钱，让我下个会议软件，是真的吗？' },
    { text: '【通知】您的社保卡已被暂停使用，请在24小时内点击 sbk-renzheng.vip 更新信息，逾期作废。客服电话 021-61234567' },
  ];
  for (const a of asks) {
    const r = await askBot(world, { botId, memberId: member, text: a.text, ...(a.roomId ? { roomId: a.roomId } : {}) });
    out(`a resident asks ${a.roomId ? `in "${room.topic}"` : 'privately'}: ${a.text}`);
    out(`the bot answers in ${r.ms} ms:`);
    for (const line of r.answer.text.split('\n').slice(0, 4)) out(`  ${line}`);
  }
  out(`tips filed for analysts (masked, no member identity): ${await countTips(store)} — see \`zhimi report tips\``);
}

/** Wait until the recorder has seen every reaction the simulated residents made (at most 10 s). */
async function reactionsSettled(members: ScriptedMembers, recorder: EngagementRecorder): Promise<void> {
  const until = Date.now() + 10_000;
  await new Promise((r) => setTimeout(r, 50)); // reactions start 20 ms after a post
  await members.settled();
  const t = members.truth;
  const r = recorder.recorded;
  while (Date.now() < until && r.reply + r.mention + r.question + r.keyword + r.click < t.reply + t.mention + t.question + t.keyword + t.click) {
    await new Promise((res) => setTimeout(res, 20));
  }
}
