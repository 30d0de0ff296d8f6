import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import { FakeClock } from '../support/clock.js';
import { reference, testFleetConfig } from '../support/sim.js';
import { paths } from '../../src/config/paths.js';
import { loadLibrary } from '../../src/content/library.js';
import { listGroups, tagGroup, upsertSeenGroup } from '../../src/store/groups-repo.js';
import { planRun } from '../../src/campaigns/plan-run.js';
import { planOutbox } from '../../src/outbox/plan-outbox.js';
import { loadDeliveries } from '../../src/outbox/outbox.js';
import type { CampaignDefinition } from '../../src/campaigns/campaign-schema.js';
import type { Store } from '../../src/store/connection.js';

describe('planning a run while a group\'s bots are offline', () => {
  let store: Store & { drop(): Promise<void> };
  const clock = new FakeClock('2026-11-25T10:00:00+08:00');

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    await upsertSeenGroup(store, { roomId: 'away@chatroom', topic: '鼓楼区老年群1', memberCount: 9, botId: 'alpha', sample: '' }, clock.now());
    await upsertSeenGroup(store, { roomId: 'here@chatroom', topic: '鼓楼区老年群2', memberCount: 9, botId: 'beta', sample: '' }, clock.now());
    for (const r of ['away@chatroom', 'here@chatroom']) await tagGroup(store, r, { district: '鼓楼区', segments: ['general'], taggedBy: 'test' });
  });
  afterAll(async () => store?.drop());

  it('should plan the post of a group whose bots are all offline for one of them (it waits for a bot), with the campaign\'s wait', async () => {
    const campaign = {
      id: 'urgent-now', name: '紧急提醒', audience: { segments: [], districts: ['all'], tags: [], include: [], exclude: [] },
      posts: { scamTypes: [], audiences: ['general'], tags: [] }, schedule: { cron: '0 0 10 * * *', timezone: 'Asia/Shanghai' },
      caps: { perGroupPerDay: 5, repeatPostAfterDays: 0 }, priority: 'urgent', waitForBotMinutes: 15,
    } as CampaignDefinition;
    const runId = 'urgent-now@1';
    const r = await planRun({
      store, runId, campaign, contentHash: 'h', scheduledAt: clock.now(), library: loadLibrary(paths.content), ref: reference, fleet: testFleetConfig([]),
      onlineBotIds: new Set(['beta']), now: clock.now(), groups: await listGroups(store), outbox: planOutbox(store),
    });
    expect(r).toMatchObject({ planned: 2, failed: 0 });
    const states = await loadDeliveries(store, { runIds: [runId] });
    expect(states.map((s) => [s.roomId, s.status, s.botId]).sort()).toEqual([['away@chatroom', 'planned', 'alpha'], ['here@chatroom', 'planned', 'beta']]);
    expect(await store.models.Run.findById(runId).lean()).toMatchObject({ waitForBotMs: 15 * 60_000 });
  });
});
