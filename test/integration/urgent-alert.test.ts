import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { content, startSimHarness, type SimHarness } from '../support/sim.js';
import { captureLogger } from '../support/log.js';
import { tagAll } from '../support/plan.js';
import { waitFor } from '../support/wait.js';
import { ADMIN, DRAFTER, REVIEWER, testContext } from '../support/people.js';
import { systemClock } from '../../src/config/clock.js';
import { createMemberKeyer } from '../../src/audience/member-key.js';
import { FleetWorker } from '../../src/worker/fleet-worker.js';
import { estimateUrgent } from '../../src/app/urgent.js';
import { reviewCampaign, submitCampaign } from '../../src/app/campaigns.js';
import { definitionYaml } from '../../src/app/campaign-editor.js';
import { liveRuns } from '../../src/app/live.js';
import { listGroups } from '../../src/store/groups-repo.js';
import { loadDeliveries } from '../../src/outbox/outbox.js';
import type { Store } from '../../src/store/connection.js';
import type { AppContext } from '../../src/app/context.js';
import type { BotLimits } from '../../src/config/bots.js';

/** Real gaps (a second between posts of a bot, as on WeChat), so the estimate is measured against real time. */
const LIMITS: BotLimits = { minGapMs: 1000, jitterMs: 0, perMinute: 60, perHour: 1000, perDay: 5000 };

describe('an urgent alert, from its estimate to the last group', () => {
  let store: Store & { drop(): Promise<void> };
  let h: SimHarness;
  let worker: FleetWorker;
  let ctx: AppContext;
  const logs = captureLogger('info');

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    h = await startSimHarness(['alpha', 'beta'], { groups: 20, membersPerGroup: 10, secondBotShare: 0, seed: 21 });
    for (const b of h.config.bots) b.limits = { ...LIMITS };
    ctx = testContext(store, systemClock, logs.log);
    (ctx as { fleet: () => typeof h.config }).fleet = () => h.config;
    const keyer = createMemberKeyer(ctx.env.memberKey);
    worker = new FleetWorker({
      config: h.config, store, keyer, officers: { officer: async () => undefined }, log: logs.log, clock: systemClock, channel: h.channel, content,
      library: ctx.library(), approvals: ctx.keys().approvals, tickMs: 200, pollMs: 50, botLeaseMs: 3000,
    });
    await worker.start();
    await waitFor(async () => expect((await listGroups(store)).length).toBe(20), 15_000);
    await tagAll(store);
  });
  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await store?.drop();
  });

  it('should reach the last group within 10 % of the estimate, after a second person approved it', async () => {
    const text = '【紧急预警】近期有人冒充“社区工作人员”上门或打电话，以“养老金认证”为由索要验证码。社区不会索要验证码！拿不准就打96110。';
    const e = await estimateUrgent(ctx, DRAFTER, { districts: ['仓山区'], segments: ['general'], text, name: '养老金认证骗局预警' });
    expect(e).toMatchObject({ groups: 20, unserved: 0, delayedNormal: 0 });
    expect(e.bots.map((b) => b.posts).sort()).toEqual([10, 10]);
    // ten posts a bot a second apart, after the start: about eleven seconds
    expect(e.estimatedMs).toBeGreaterThan(9_000);
    expect(e.estimatedMs).toBeLessThan(14_000);
    const submitted = await submitCampaign(ctx, DRAFTER, { yaml: definitionYaml(e.definition), reason: '养老金认证骗局' });
    expect(submitted.errors).toEqual([]);
    await expect(reviewCampaign(ctx, DRAFTER, submitted.id, { version: 1, approve: true })).rejects.toThrow(/someone else|may not/);
    // the reviewer approves after its time: it goes at once
    await new Promise((r) => setTimeout(r, 10_500));
    const approvedAt = Date.now();
    await reviewCampaign(ctx, REVIEWER, submitted.id, { version: 1, approve: true });
    await waitFor(async () => expect((await liveRuns(ctx, ADMIN)).find((r) => r.campaignId === submitted.id)?.progress).toBe(1), 40_000, 200);
    const sent = (await loadDeliveries(store, { campaignId: submitted.id })).filter((d) => d.status === 'sent');
    expect(sent).toHaveLength(20);
    for (const g of h.world.rooms.values()) expect(h.world.roomMessages(g.id).filter((m) => m.text.startsWith('【紧急预警】'))).toHaveLength(1);
    const actualMs = Math.max(...sent.map((d) => d.sentAt!.getTime())) - approvedAt;
    expect(Math.abs(actualMs - e.estimatedMs) / e.estimatedMs, `estimated ${e.estimatedMs} ms, the last group got it after ${actualMs} ms`).toBeLessThanOrEqual(0.1);
  }, 90_000);
});
