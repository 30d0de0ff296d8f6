import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore } from '../support/db.js';
import { captureLogger } from '../support/log.js';
import { FakeClock } from '../support/clock.js';
import { reference, testFleetConfig } from '../support/sim.js';
import { paths } from '../../src/config/paths.js';
import { connectStore, type Store } from '../../src/store/connection.js';
import { tagGroup, upsertSeenGroup } from '../../src/store/groups-repo.js';
import { getCampaign } from '../../src/store/campaigns-repo.js';
import { countByStatus, openDeliveries, skipPlanned } from '../../src/outbox/outbox.js';
import { listGroups } from '../../src/store/groups-repo.js';
import { closeRuns, createRun, runId } from '../../src/store/runs-repo.js';
import { planRun } from '../../src/campaigns/plan-run.js';
import { planOutbox } from '../../src/outbox/plan-outbox.js';
import { loadLibrary } from '../../src/content/library.js';
import { loadCampaignFile } from '../../src/campaigns/campaign-files.js';
import { CampaignRuleError, submitCampaign, syncWithFile, transition } from '../../src/campaigns/campaign-service.js';
import { CampaignScheduler, PLAN_LEASE_MS } from '../../src/campaigns/scheduler.js';

const lin = { id: 'officer-cangshan-lin', role: 'officer' as const };
const zheng = { id: 'officer-city-zheng', role: 'approver' as const };
const admin = { id: 'admin-1', role: 'admin' as const };

describe('campaign approval, audit trail and scheduling on the real database', () => {
  let store: Store & { drop(): Promise<void> };
  let other: Store;
  const clock = new FakeClock('2026-11-25T09:00:00+08:00');
  const dir = mkdtempSync(join(tmpdir(), 'zhimi-campaigns-'));
  const file = join(dir, 'elderly-weekly.yaml');
  const library = loadLibrary(paths.content);
  const { log } = captureLogger('warn');
  const scheduler = (s: Store, workerId: string) =>
    new CampaignScheduler({ store: s, clock, log, workerId, campaignDir: dir, library, ref: reference, fleet: testFleetConfig([]), onlineBotIds: async () => new Set(['a']), outbox: planOutbox(s) });

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    other = await connectStore(inject('mongoUri'), { dbName: store.connection.name });
    writeFileSync(file, readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8'));
    for (let i = 0; i < 5; i++) {
      const roomId = `r${i}@chatroom`;
      await upsertSeenGroup(store, { roomId, topic: `仓山区老年群${i}`, memberCount: 40 + i, botId: 'a', memberSample: [] }, clock.now());
      await tagGroup(store, roomId, { district: '仓山区', station: '金山派出所', segments: [i < 4 ? 'elderly' : 'students'], taggedBy: 'k' });
    }
  });
  // no worker sends here: an earlier test's posts still waiting would count as today's against each later run's caps
  beforeEach(async () => {
    await skipPlanned(store, await openDeliveries(store), 'earlier test', clock.now());
  });
  afterAll(async () => {
    await other?.close();
    await store?.drop();
  });

  it('should not let the author approve their own campaign', async () => {
    await submitCampaign(store, loadCampaignFile(file), zheng, clock.now());
    await expect(transition(store, 'elderly-weekly', 'approve', zheng, clock.now())).rejects.toThrow(CampaignRuleError);
    await expect(transition(store, 'elderly-weekly', 'approve', zheng, clock.now())).rejects.toThrow(/approval must come from someone else/);
  });

  it('should approve when someone else approves and record who, when and why', async () => {
    await submitCampaign(store, loadCampaignFile(file), lin, clock.now(), '新一周');
    await transition(store, 'elderly-weekly', 'approve', zheng, clock.now(), '内容已审核');
    const rec = (await getCampaign(store, 'elderly-weekly'))!;
    expect(rec.status).toBe('approved');
    expect(rec.approvedBy).toBe(zheng.id);
    expect(rec.audit.map((a) => [a.action, a.by, a.from, a.to])).toEqual([
      ['create', zheng.id, '', 'draft'],
      ['submit', zheng.id, 'draft', 'submitted'],
      ['submit', lin.id, 'submitted', 'submitted'],
      ['approve', zheng.id, 'submitted', 'approved'],
    ]);
    expect(rec.audit[3]!.reason).toBe('内容已审核');
    expect(rec.audit[3]!.at).toBeInstanceOf(Date);
  });

  it('should create exactly one run when two schedulers fire the same due time', async () => {
    const due = new Date('2026-11-27T10:00:00+08:00');
    clock.set(due);
    const a = scheduler(store, 'worker-a');
    const b = scheduler(other, 'worker-b');
    const [ra, rb] = await Promise.all([a.fire('elderly-weekly', due), b.fire('elderly-weekly', due)]);
    expect([ra, rb].filter(Boolean)).toHaveLength(1);
    expect(await store.models.Run.countDocuments({ campaignId: 'elderly-weekly' })).toBe(1);
    const counts = await countByStatus(store, (ra ?? rb)!);
    expect(counts.planned).toBe(4);
    expect((await getCampaign(store, 'elderly-weekly'))!.status).toBe('active');
  });

  it('should finish, once, the planning of a run whose planner died part-way, without planning any group twice', async () => {
    const due = new Date('2026-11-28T10:00:00+08:00');
    clock.set(due);
    const rec = (await getCampaign(store, 'elderly-weekly'))!;
    const id = runId('elderly-weekly', due);
    // a worker creates the run, writes two of the four targeted groups and dies before recording the plan
    expect(await createRun(store, 'elderly-weekly', due, 'worker-dead', clock.now(), rec.contentHash)).toBe(true);
    const groups = (await listGroups(store)).filter((g) => g.roomId === 'r0@chatroom' || g.roomId === 'r1@chatroom');
    await planRun({ store, runId: id, campaign: rec.definition as never, contentHash: rec.contentHash, scheduledAt: due, library, ref: reference, fleet: testFleetConfig([]), onlineBotIds: new Set(['a']), now: clock.now(), groups, outbox: planOutbox(store) });
    await store.models.Run.updateOne({ _id: id }, { $unset: { plannedAt: 1, planned: 1, skipped: 1 } });
    const before = await store.models.Delivery.find({ runId: id }).lean();
    expect(before).toHaveLength(2);

    // within the planning lease nobody touches it (its planner may still be writing)
    clock.advance(PLAN_LEASE_MS / 2);
    await scheduler(store, 'worker-a').resumeStalledPlans();
    expect(await store.models.Delivery.countDocuments({ runId: id })).toBe(2);

    // after it, one of two workers plans what is missing
    clock.advance(PLAN_LEASE_MS);
    const a = scheduler(store, 'worker-a');
    const b = scheduler(other, 'worker-b');
    const resumed: string[] = [];
    for (const s of [a, b]) s.on('run:planned', (r) => resumed.push(r.runId));
    await Promise.all([a.resumeStalledPlans(), b.resumeStalledPlans()]);
    expect(resumed).toEqual([id]);
    const after = await store.models.Delivery.find({ runId: id }).lean();
    expect(after).toHaveLength(4);
    expect(new Set(after.map((d) => String(d.groupId))).size).toBe(4);
    // what the dead planner wrote stays as it was
    for (const d of before) expect(after.find((x) => String(x._id) === String(d._id))).toMatchObject({ createdAt: d.createdAt });
    expect(await countByStatus(store, id)).toMatchObject({ planned: 4, skipped: 0 });
    const run = (await store.models.Run.findById(id).lean())!;
    expect(run.planned).toBe(4);
    expect(run.plannedAt).toBeInstanceOf(Date);
    // a planned run is not resumed again
    clock.advance(2 * PLAN_LEASE_MS);
    await a.resumeStalledPlans();
    expect(resumed).toEqual([id]);
  });

  it('should send, late, a due time that passed while no worker ran (quiet hours as of now), once, and report older ones missed', async () => {
    const evening = join(dir, 'catch-up-evening.yaml');
    writeFileSync(evening, 'id: catch-up-evening\nname: 晚间提醒\naudience: { segments: [elderly] }\nposts: { audiences: [elderly] }\nschedule: { cron: "0 0 20 * * *" }\ncaps: { perGroupPerDay: 1, repeatPostAfterDays: 0 }\n');
    clock.set(new Date('2026-12-01T19:00:00+08:00'));
    await submitCampaign(store, loadCampaignFile(evening), lin, clock.now());
    await transition(store, 'catch-up-evening', 'approve', zheng, clock.now());
    // no worker ran at 20:00; one starts at 22:00, inside the elderly groups' quiet hours (21:30–07:30)
    clock.set(new Date('2026-12-01T22:00:00+08:00'));
    const a = scheduler(store, 'worker-a');
    const b = scheduler(other, 'worker-b');
    const planned: string[] = [];
    const skipped: { campaignId: string; scheduledAt: Date; reason: string }[] = [];
    for (const s of [a, b]) {
      s.on('run:planned', (r) => planned.push(r.runId));
      s.on('run:skipped', (r) => skipped.push(r));
    }
    await Promise.all([a.sync(), b.sync()]);
    a.close();
    b.close();
    const id = runId('catch-up-evening', new Date('2026-12-01T20:00:00+08:00'));
    expect(planned).toEqual([id]);
    const deliveries = await store.models.Delivery.find({ runId: id }).lean();
    expect(deliveries).toHaveLength(4);
    for (const d of deliveries) expect(d.notBefore).toEqual(new Date('2026-12-02T07:30:00+08:00'));
    // the next sync (a worker started later) finds the run: nothing more
    const later = scheduler(store, 'worker-a');
    later.on('run:skipped', (r) => skipped.push(r));
    await later.sync();
    expect(await store.models.Run.countDocuments({ campaignId: 'catch-up-evening' })).toBe(1);
    // a due time more than CATCH_UP_MS old is not sent, but reported missed
    clock.set(new Date('2026-12-03T09:00:00+08:00'));
    await later.sync();
    later.close();
    expect(await store.models.Run.countDocuments({ campaignId: 'catch-up-evening' })).toBe(1);
    expect(skipped.filter((r) => r.campaignId === 'catch-up-evening')).toEqual([{ campaignId: 'catch-up-evening', scheduledAt: new Date('2026-12-02T20:00:00+08:00'), reason: 'missed: no worker was running' }]);
    await transition(store, 'catch-up-evening', 'cancel', admin, clock.now());
  });

  it('should send an edited campaign back to submitted and not run it until approved again', async () => {
    writeFileSync(file, readFileSync(file, 'utf8').replace('长者防骗每周提醒', '长者防骗每周提醒（修订）'));
    const rec = await syncWithFile(store, loadCampaignFile(file), clock.now());
    expect(rec.status).toBe('submitted');
    expect(rec.audit.at(-1)).toMatchObject({ action: 'changed', by: 'system', from: 'active', to: 'submitted' });
    const due = new Date('2026-12-01T10:00:00+08:00');
    clock.set(due);
    expect(await scheduler(store, 'worker-a').fire('elderly-weekly', due)).toBeUndefined();
    await transition(store, 'elderly-weekly', 'approve', admin, clock.now());
    expect(await scheduler(store, 'worker-a').fire('elderly-weekly', due)).toBeDefined();
  });

  it('should never run a cancelled campaign', async () => {
    await transition(store, 'elderly-weekly', 'cancel', lin, clock.now(), '活动提前结束');
    const due = new Date('2026-12-04T10:00:00+08:00');
    clock.set(due);
    const s = scheduler(store, 'worker-a');
    await s.sync();
    expect(await s.fire('elderly-weekly', due)).toBeUndefined();
    expect(await store.models.Run.countDocuments({ scheduledAt: due })).toBe(0);
    await expect(transition(store, 'elderly-weekly', 'resume', admin, clock.now())).rejects.toThrow(/cannot resume a campaign that is cancelled/);
    s.close();
  });

  it('should close a stalled run of a campaign cancelled since with what it holds, and send nothing more', async () => {
    const due = new Date('2026-12-05T10:00:00+08:00');
    clock.set(due);
    const rec = (await getCampaign(store, 'elderly-weekly'))!;
    const id = runId('elderly-weekly', due);
    await createRun(store, 'elderly-weekly', due, 'worker-dead', clock.now(), rec.contentHash);
    const groups = (await listGroups(store)).filter((g) => g.roomId === 'r0@chatroom');
    await planRun({ store, runId: id, campaign: rec.definition as never, contentHash: rec.contentHash, scheduledAt: due, library, ref: reference, fleet: testFleetConfig([]), onlineBotIds: new Set(['a']), now: clock.now(), groups, outbox: planOutbox(store) });
    await store.models.Run.updateOne({ _id: id }, { $unset: { plannedAt: 1, planned: 1, skipped: 1 } });
    clock.advance(PLAN_LEASE_MS + 1000);
    await scheduler(store, 'worker-a').resumeStalledPlans();
    expect(await store.models.Delivery.countDocuments({ runId: id })).toBe(1);
    const run = (await store.models.Run.findById(id).lean())!;
    expect(run).toMatchObject({ planned: 1, skipped: 0 });
    expect(run.plannedAt).toBeInstanceOf(Date);
  });

  it('should keep scheduling when campaign files are broken: the error names file, line and field, once, and an approved campaign keeps its approved version', async () => {
    const logs = captureLogger('info');
    const steady = join(dir, 'steady.yaml');
    const text = readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8').replace('id: elderly-weekly', 'id: steady');
    writeFileSync(steady, text);
    await submitCampaign(store, loadCampaignFile(steady), lin, clock.now());
    await transition(store, 'steady', 'approve', zheng, clock.now());
    // an officer's new draft with a typo, and steady's own file half-way through an edit
    writeFileSync(join(dir, 'draft-typo.yaml'), text.replace('id: steady', 'id: draft-typo').replace('"0 0 10 * * 2,5"', '"0 0 10 * *"'));
    writeFileSync(steady, text.replace('caps: { perGroupPerDay: 1, repeatPostAfterDays: 30 }', 'caps: { perGroupPerDay: 1, repeatPostAfterDays: '));
    const s = new CampaignScheduler({ store, clock, log: logs.log, workerId: 'worker-a', campaignDir: dir, library, ref: reference, fleet: testFleetConfig([]), onlineBotIds: async () => new Set(['a']), outbox: planOutbox(store) });
    await s.start();
    await s.sync();
    const reported = logs.lines().filter((l) => l.includes('campaign files with errors'));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/draft-typo\.yaml:7: schedule\.cron: must have 6 fields/);
    expect(reported[0]).toMatch(/steady\.yaml/);
    expect((await getCampaign(store, 'steady'))!.status).toBe('approved');
    const due = new Date('2026-12-08T10:00:00+08:00');
    clock.set(due);
    expect(await s.fire('steady', due)).toBeDefined();
    // fixed: said once, and the edit (a change since approval) sends it back to submitted
    writeFileSync(steady, text.replace('长者防骗每周提醒', '长者防骗每周提醒（修订）'));
    rmSync(join(dir, 'draft-typo.yaml'));
    await s.sync();
    expect(logs.lines().filter((l) => l.includes('campaign files load again'))).toHaveLength(1);
    expect((await getCampaign(store, 'steady'))!.status).toBe('submitted');
    s.close();
  });
  it('should finish a one-off campaign once its run is done, not before (it can be cancelled while it sends)', async () => {
    const oneOff = join(dir, 'one-off.yaml');
    writeFileSync(oneOff, readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8')
      .replace('id: elderly-weekly', 'id: one-off').replace(/schedule: .*/, 'schedule: { at: 2026-12-09T10:00:00+08:00 }'));
    clock.set('2026-12-08T09:00:00+08:00');
    await submitCampaign(store, loadCampaignFile(oneOff), lin, clock.now());
    await transition(store, 'one-off', 'approve', zheng, clock.now());
    const due = new Date('2026-12-09T10:00:00+08:00');
    clock.set(due);
    const s = scheduler(store, 'worker-a');
    const id = await s.fire('one-off', due);
    expect(id).toBeDefined();
    expect((await countByStatus(store, id!)).planned).toBeGreaterThan(0);
    await s.sync();
    expect((await getCampaign(store, 'one-off'))!.status).toBe('active');
    await closeRuns(store, [id!], clock.now()); // what a worker's sweep does once every post is final
    await s.sync();
    const rec = (await getCampaign(store, 'one-off'))!;
    expect(rec.status).toBe('finished');
    expect(rec.audit.at(-1)).toMatchObject({ action: 'finish', by: 'system', from: 'active', to: 'finished', reason: 'its one run is done' });
    s.close();
  });

  it('should count a post still waiting from an earlier run as today\'s: a backlog never gives a group two posts in one day', async () => {
    await upsertSeenGroup(store, { roomId: 'r9@chatroom', topic: '仓山区老年群9', memberCount: 30, botId: 'a', memberSample: [] }, clock.now());
    await tagGroup(store, 'r9@chatroom', { district: '仓山区', segments: ['elderly'], taggedBy: 'k' });
    const groups = (await listGroups(store)).filter((g) => g.roomId === 'r9@chatroom');
    const def = (await getCampaign(store, 'elderly-weekly'))!.definition as never;
    const plan = async (due: Date): Promise<string> => {
      clock.set(due);
      const id = runId('elderly-weekly', due);
      await createRun(store, 'elderly-weekly', due, 'worker-a', clock.now(), 'h');
      await planRun({ store, runId: id, campaign: def, contentHash: 'h', scheduledAt: due, library, ref: reference, fleet: testFleetConfig([]), onlineBotIds: new Set(['a']), now: clock.now(), groups, outbox: planOutbox(store) });
      return id;
    };
    // Thursday's post to the group is still waiting (its bot fell behind); Friday's run comes
    const thursday = await plan(new Date('2026-12-10T10:00:00+08:00'));
    expect((await countByStatus(store, thursday)).planned).toBe(1);
    const friday = await plan(new Date('2026-12-11T10:00:00+08:00'));
    expect(await countByStatus(store, friday)).toMatchObject({ planned: 0, skipped: 1 });
    expect((await store.models.Delivery.findOne({ runId: friday }).lean())!.reason).toBe('daily cap reached: 1 post(s) per group per day');
  });

  it('should schedule nothing once closed, even from a sync that was still reading (its cron task would outlive the worker)', async () => {
    const weekly = join(dir, 'closing.yaml');
    writeFileSync(weekly, readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8').replace('id: elderly-weekly', 'id: closing'));
    await submitCampaign(store, loadCampaignFile(weekly), lin, clock.now());
    await transition(store, 'closing', 'approve', zheng, clock.now());
    const s = scheduler(store, 'worker-a');
    await s.sync();
    expect(s.scheduledCampaigns().length).toBeGreaterThan(0);
    s.close();
    expect(s.scheduledCampaigns()).toEqual([]);
    const late = scheduler(store, 'worker-b');
    const reading = late.sync();
    late.close();
    await reading;
    expect(late.scheduledCampaigns()).toEqual([]);
  });
});
