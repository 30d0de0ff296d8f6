import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
import { planRun, type PlanOutbox } from '../../src/campaigns/plan-run.js';
import { planOutbox } from '../../src/outbox/plan-outbox.js';
import { loadLibrary } from '../../src/content/library.js';
import { CampaignScheduler, PLAN_LEASE_MS } from '../../src/campaigns/scheduler.js';
import { getVersion, updateCampaign } from '../../src/store/campaigns-repo.js';
import { campaignStatus, changeCampaign, reviewCampaign, reviewView } from '../../src/app/campaigns.js';
import { listAudit } from '../../src/app/audit.js';
import type { AppContext } from '../../src/app/context.js';
import { ADMIN, DRAFTER, PUBLISHER, REVIEWER, SECOND_REVIEWER, cancel, submitApproved, submitFile, testContext } from '../support/people.js';

/** A campaign's approved version: what its runs are planned from. */
async function approved(store: Store, id: string): Promise<{ def: never; key: string }> {
  const rec = (await getCampaign(store, id))!;
  const v = (await getVersion(store, id, rec.approvedVersion!))!;
  return { def: v.definition as never, key: `${v.version}:${v.definitionHash}` };
}

describe('campaign approval, audit trail and scheduling on the real database', () => {
  let store: Store & { drop(): Promise<void> };
  let other: Store;
  const clock = new FakeClock('2026-11-25T09:00:00+08:00');
  const dir = mkdtempSync(join(tmpdir(), 'zhimi-campaigns-'));
  const file = join(dir, 'elderly-weekly.yaml');
  const library = loadLibrary(paths.content);
  const { log } = captureLogger('warn');
  let ctx: AppContext;
  const scheduler = (s: Store, workerId: string, lib = library, logger = log) =>
    new CampaignScheduler({ store: s, clock, log: logger, workerId, library: lib, approvals: ctx.keys().approvals, ref: reference, fleet: testFleetConfig([]), onlineBotIds: async () => new Set(['a']), outbox: planOutbox(s) });

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    ctx = testContext(store, clock, log);
    other = await connectStore(inject('mongoUri'), { dbName: store.connection.name });
    writeFileSync(file, readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8'));
    for (let i = 0; i < 5; i++) {
      const roomId = `r${i}@chatroom`;
      await upsertSeenGroup(store, { roomId, topic: `仓山区老年群${i}`, memberCount: 40 + i, botId: 'a', sample: '' }, clock.now());
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

  it('should not let a reviewer approve a version they submitted themselves, nor one re-submitted over theirs by someone else', async () => {
    const v = await submitFile(ctx, REVIEWER, file);
    await expect(reviewCampaign(ctx, REVIEWER, 'elderly-weekly', { version: v, approve: true })).rejects.toThrow(/郑科长 submitted a version under review since the last approval: its review must come from someone else/);
    const v2 = await submitFile(ctx, DRAFTER, file);
    expect(v2).toBe(2);
    await expect(reviewCampaign(ctx, REVIEWER, 'elderly-weekly', { version: v2, approve: true })).rejects.toThrow(/its review must come from someone else/);
  });

  it('should approve when someone else approves the version they saw, and record who, when and why in the audit', async () => {
    await reviewCampaign(ctx, SECOND_REVIEWER, 'elderly-weekly', { version: 2, approve: true, reason: '内容已审核' });
    const rec = (await getCampaign(store, 'elderly-weekly'))!;
    expect(rec).toMatchObject({ status: 'approved', approvedBy: SECOND_REVIEWER.id, approvedVersion: 2 });
    const audit = (await listAudit(ctx, ADMIN, { target: { kind: 'campaign', id: 'elderly-weekly' } })).reverse();
    expect(audit.map((a) => [a.action, a.actor.id, a.version])).toEqual([
      ['campaign.submit', REVIEWER.id, 1],
      ['campaign.submit', DRAFTER.id, 2],
      ['campaign.approve', SECOND_REVIEWER.id, 2],
    ]);
    expect(audit[2]!.reason).toBe('内容已审核');
    expect(audit[2]!.at).toBeInstanceOf(Date);
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
    const rec = await approved(store, 'elderly-weekly');
    const id = runId('elderly-weekly', due);
    // a worker creates the run, writes two of the four targeted groups and dies before recording the plan
    expect(await createRun(store, 'elderly-weekly', due, 'worker-dead', clock.now(), rec.key)).toBe(true);
    const groups = (await listGroups(store)).filter((g) => g.roomId === 'r0@chatroom' || g.roomId === 'r1@chatroom');
    await planRun({ store, runId: id, campaign: rec.def, contentHash: rec.key, scheduledAt: due, library, ref: reference, fleet: testFleetConfig([]), onlineBotIds: new Set(['a']), now: clock.now(), groups, outbox: planOutbox(store) });
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
    await submitApproved(ctx, evening);
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
    await cancel(ctx, 'catch-up-evening');
  });

  it('should not run a new version of a campaign until it is approved, and refuse a review of a version that is no longer under review', async () => {
    writeFileSync(file, readFileSync(file, 'utf8').replace('长者防骗每周提醒', '长者防骗每周提醒（修订）'));
    const v3 = await submitFile(ctx, DRAFTER, file);
    expect((await getCampaign(store, 'elderly-weekly'))!.status).toBe('submitted');
    const due = new Date('2026-12-01T10:00:00+08:00');
    clock.set(due);
    expect(await scheduler(store, 'worker-a').fire('elderly-weekly', due)).toBeUndefined();
    // the drafter widens the audience to every segment and makes it urgent while the reviewer looks at version 3
    writeFileSync(file, readFileSync(file, 'utf8').replace('segments: [elderly]', 'segments: [elderly, students, shoppers, general]').replace('priority: normal', 'priority: urgent'));
    const v4 = await submitFile(ctx, DRAFTER, file);
    await expect(reviewCampaign(ctx, REVIEWER, 'elderly-weekly', { version: v3, approve: true })).rejects.toThrow(/version 3 is not the one under review: version 4 is \(changed: audience: .*priority: "normal" → "urgent"\)/);
    await reviewCampaign(ctx, REVIEWER, 'elderly-weekly', { version: v4, approve: true });
    expect(await scheduler(store, 'worker-a').fire('elderly-weekly', due)).toBeDefined();
    // back to the shipped version for the tests that follow
    writeFileSync(file, readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8'));
    await submitApproved(ctx, file);
  });

  it('should run nothing from a status written straight into the database, and log why once', async () => {
    const logs = captureLogger('warn');
    const forged = join(dir, 'forged.yaml');
    writeFileSync(forged, readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8').replace('id: elderly-weekly', 'id: forged'));
    await submitFile(ctx, DRAFTER, forged);
    // someone with the database's credentials marks it approved, with an approval record of their own making
    await updateCampaign(store, 'forged', { status: 'submitted' }, { status: 'approved', approvedVersion: 1, approvedBy: 'mallory' });
    await store.models.CampaignVersion.updateOne({ _id: 'forged#1' }, { $set: { approval: { by: 'mallory', at: clock.now(), keyId: ctx.keys().approvals.keys().next().value!, sig: 'AAAA' } } });
    const due = new Date('2026-12-02T10:00:00+08:00');
    clock.set(due);
    const s = scheduler(store, 'worker-a', library, logs.log);
    expect(await s.fire('forged', due)).toBeUndefined();
    await s.sync();
    expect(s.scheduledCampaigns()).not.toContain('forged');
    expect(logs.lines().filter((l) => l.includes('its approval seal does not verify'))).toHaveLength(1);
    // an approved campaign whose definition was edited in place after approval runs nothing either
    await submitApproved(ctx, forged);
    await store.models.CampaignVersion.updateOne({ _id: 'forged#2' }, { $set: { 'definition.priority': 'urgent' } });
    expect(await s.fire('forged', due)).toBeUndefined();
    expect(logs.lines().some((l) => l.includes('its definition was changed after it was submitted'))).toBe(true);
    // the campaign turned back to an older sealed version runs nothing once a newer one was approved
    await store.models.CampaignVersion.updateOne({ _id: 'forged#2' }, { $set: { 'definition.priority': 'normal' } });
    await submitApproved(ctx, forged);
    await updateCampaign(store, 'forged', { status: 'approved' }, { approvedVersion: 2 });
    expect(await s.fire('forged', due)).toBeUndefined();
    expect(logs.lines().some((l) => l.includes('version 3 was approved after version 2, which the campaign names'))).toBe(true);
    // two reviewers approving one version at once: one approval stands, the other is told
    writeFileSync(forged, readFileSync(forged, 'utf8').replace(/name: (.*)/, 'name: $1 改'));
    const v4 = await submitFile(ctx, DRAFTER, forged);
    const both = await Promise.allSettled([reviewCampaign(ctx, REVIEWER, 'forged', { version: v4, approve: true }), reviewCampaign(ctx, SECOND_REVIEWER, 'forged', { version: v4, approve: true })]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const stored = (await getCampaign(store, 'forged'))!;
    expect((await store.models.CampaignVersion.findById('forged#4').lean())!.approval!.by).toBe(stored.approvedBy);
    s.close();
    await cancel(ctx, 'forged');
  });

  it('should not send a post edited after the approval under that approval', async () => {
    const logs = captureLogger('warn');
    const one = join(dir, 'one-post.yaml');
    const post = library.find((p) => p.audiences.includes('elderly'))!;
    writeFileSync(one, readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8').replace('id: elderly-weekly', 'id: one-post').replace(/posts: .*/, `posts: [${post.id}]`).replace('repeatPostAfterDays: 30', 'repeatPostAfterDays: 0'));
    await submitApproved(ctx, one);
    // the post's file is edited after the approval: the workers' library has it with another content hash
    const edited = library.map((p) => (p.id === post.id ? { ...p, contentHash: 'edited', variants: ['改过的文字'] } : p));
    const due = new Date('2026-12-02T10:00:00+08:00');
    clock.set(due);
    const s = scheduler(store, 'worker-a', edited, logs.log);
    const id = await s.fire('one-post', due);
    expect(await store.models.Delivery.countDocuments({ runId: id, postId: post.id })).toBe(0);
    expect(logs.lines().filter((l) => l.includes('a post changed since the campaign was approved'))).toHaveLength(1);
    s.close();
    await cancel(ctx, 'one-post');
  });

  it('should show a post edited after the approval as needing review, its old and new texts to the reviewer, until a new version is approved', async () => {
    const content = join(dir, 'content');
    cpSync(paths.content, content, { recursive: true });
    const postFile = join(content, 'posts', 'elderly-care', 'elderly-care-01.md');
    const campaign = join(dir, 'edited-post.yaml');
    writeFileSync(campaign, readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8').replace('id: elderly-weekly', 'id: edited-post').replace(/posts: .*/, 'posts: [elderly-care-01]'));
    const before = testContext(store, clock, log, content);
    await submitApproved(before, campaign);
    writeFileSync(postFile, readFileSync(postFile, 'utf8').replace('保健品不是药，治不了病。', '保健品不是药，治不了病，别信“包治百病”。'));
    // a new process reads the library as it is now
    const after = testContext(store, clock, log, content);
    expect((await campaignStatus(after, PUBLISHER, 'edited-post')).needsReview).toEqual(['post elderly-care-01 changed']);
    const v2 = await submitFile(after, DRAFTER, campaign);
    const seen = await reviewView(after, REVIEWER, 'edited-post', v2);
    expect(seen.changes).toEqual(['post elderly-care-01 changed']);
    expect(seen.mayReview).toBe(true);
    const [post] = seen.posts;
    expect(post).toMatchObject({ id: 'elderly-care-01', changed: true });
    expect(post!.previous![0]).toContain('保健品不是药，治不了病。');
    expect(post!.variants[0]).toContain('别信“包治百病”');
    await reviewCampaign(after, REVIEWER, 'edited-post', { version: v2, approve: true });
    expect((await campaignStatus(after, PUBLISHER, 'edited-post')).needsReview).toEqual([]);
    await cancel(after, 'edited-post');
  });

  it('should never run a cancelled campaign', async () => {
    await changeCampaign(ctx, PUBLISHER, 'elderly-weekly', 'cancel', '活动提前结束');
    const due = new Date('2026-12-04T10:00:00+08:00');
    clock.set(due);
    const s = scheduler(store, 'worker-a');
    await s.sync();
    expect(await s.fire('elderly-weekly', due)).toBeUndefined();
    expect(await store.models.Run.countDocuments({ scheduledAt: due })).toBe(0);
    await expect(changeCampaign(ctx, ADMIN, 'elderly-weekly', 'resume')).rejects.toThrow(/cannot resume a campaign that is cancelled/);
    s.close();
  });

  it('should close a stalled run of a campaign cancelled since with what it holds, and send nothing more', async () => {
    const due = new Date('2026-12-05T10:00:00+08:00');
    clock.set(due);
    const rec = await approved(store, 'elderly-weekly');
    const id = runId('elderly-weekly', due);
    await createRun(store, 'elderly-weekly', due, 'worker-dead', clock.now(), rec.key);
    const groups = (await listGroups(store)).filter((g) => g.roomId === 'r0@chatroom');
    await planRun({ store, runId: id, campaign: rec.def, contentHash: rec.key, scheduledAt: due, library, ref: reference, fleet: testFleetConfig([]), onlineBotIds: new Set(['a']), now: clock.now(), groups, outbox: planOutbox(store) });
    await store.models.Run.updateOne({ _id: id }, { $unset: { plannedAt: 1, planned: 1, skipped: 1 } });
    clock.advance(PLAN_LEASE_MS + 1000);
    await scheduler(store, 'worker-a').resumeStalledPlans();
    expect(await store.models.Delivery.countDocuments({ runId: id })).toBe(1);
    const run = (await store.models.Run.findById(id).lean())!;
    expect(run).toMatchObject({ planned: 1, skipped: 0 });
    expect(run.plannedAt).toBeInstanceOf(Date);
  });

  it('should finish a one-off campaign once its run is done, not before (it can be cancelled while it sends)', async () => {
    const oneOff = join(dir, 'one-off.yaml');
    writeFileSync(oneOff, readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8')
      .replace('id: elderly-weekly', 'id: one-off').replace(/schedule: .*/, 'schedule: { at: 2026-12-09T10:00:00+08:00 }'));
    clock.set('2026-12-08T09:00:00+08:00');
    await submitApproved(ctx, oneOff);
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
    expect(rec.history.at(-1)).toMatchObject({ action: 'finish', from: 'active', to: 'finished', reason: 'its one run is done' });
    s.close();
  });

  it('should count a post still waiting from an earlier run as today\'s: a backlog never gives a group two posts in one day', async () => {
    await upsertSeenGroup(store, { roomId: 'r9@chatroom', topic: '仓山区老年群9', memberCount: 30, botId: 'a', sample: '' }, clock.now());
    await tagGroup(store, 'r9@chatroom', { district: '仓山区', segments: ['elderly'], taggedBy: 'k' });
    const groups = (await listGroups(store)).filter((g) => g.roomId === 'r9@chatroom');
    const { def } = await approved(store, 'elderly-weekly');
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

  it('should plan with what caps count as read before the due time, and read it again when a post it counted failed or was skipped since', async () => {
    const { def } = await approved(store, 'elderly-weekly');
    const r9 = (await listGroups(store)).filter((g) => g.roomId === 'r9@chatroom');
    const base = planOutbox(store);
    let reads = 0;
    let afterRead: (() => Promise<unknown>) | undefined;
    // the outbox as the worker wires it, telling when caps history is read (and letting the test change the outbox right after)
    const outbox: PlanOutbox = {
      ...base,
      readHistory: async (since) => {
        const reading = await base.readHistory(since);
        reads++;
        const change = afterRead;
        afterRead = undefined;
        await change?.();
        return reading;
      },
    };
    const dayOf = async (day: string, id: string): Promise<{ planned: number; skipped: number }> => {
      // earlier that day, a post to group r9 that is still waiting: it counts against today's cap
      const early = new Date(`${day}T08:00:00+08:00`);
      clock.set(early);
      await createRun(store, 'elderly-weekly', early, 'worker-a', clock.now(), 'h');
      await planRun({ store, runId: runId('elderly-weekly', early), campaign: def, contentHash: 'h', scheduledAt: early, library, ref: reference, fleet: testFleetConfig([]), onlineBotIds: new Set(['a']), now: clock.now(), groups: r9, outbox: base });
      // a one-off campaign to every elderly group at 10:00; a worker's scheduler starts a second before
      const due = new Date(`${day}T10:00:00+08:00`);
      const yaml = join(dir, `${id}.yaml`);
      writeFileSync(yaml, `id: ${id}\nname: 临时提醒\naudience: { segments: [elderly] }\nposts: { audiences: [elderly] }\nschedule: { at: "${due.toISOString()}" }\ncaps: { perGroupPerDay: 1, repeatPostAfterDays: 0 }\n`);
      await submitApproved(ctx, yaml);
      clock.set(new Date(due.getTime() - 1000));
      reads = 0;
      const s = new CampaignScheduler({ store, clock, log, workerId: 'worker-a', library, approvals: ctx.keys().approvals, ref: reference, fleet: testFleetConfig([]), onlineBotIds: async () => new Set(['a']), outbox });
      const planned = new Promise<{ planned: number; skipped: number }>((resolve) => s.on('run:planned', (r) => r.campaignId === id && resolve(r)));
      await s.sync();
      const result = await planned;
      s.close();
      return result;
    };
    // nothing changed after the read ahead: the run is planned from it (no read at the due time), r9 keeps its cap
    expect(await dayOf('2026-12-14', 'caps-ahead-a')).toMatchObject({ planned: 4, skipped: 1 });
    expect(reads).toBe(1);
    // the waiting post to r9 is skipped (an officer paused the group a moment) right after the read: it is read again
    afterRead = async () => skipPlanned(store, (await openDeliveries(store)).filter((d) => d.groupId === r9[0]!.id), 'group paused', clock.now());
    expect(await dayOf('2026-12-16', 'caps-ahead-b')).toMatchObject({ planned: 5, skipped: 0 });
    expect(reads).toBe(2);
  });

  it('should schedule nothing once closed, even from a sync that was still reading (its cron task would outlive the worker)', async () => {
    const weekly = join(dir, 'closing.yaml');
    writeFileSync(weekly, readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8').replace('id: elderly-weekly', 'id: closing'));
    await submitApproved(ctx, weekly);
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
