import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { openTestStore } from '../support/db.js';
import { captureLogger } from '../support/log.js';
import { FakeClock } from '../support/clock.js';
import { addPeople, listeningApi, tokenOf } from '../support/api.js';
import { testContext } from '../support/people.js';
import { buildApi } from '../../src/api/server.js';
import { paths } from '../../src/config/paths.js';
import { tagGroup, upsertSeenGroup } from '../../src/store/groups-repo.js';
import { recordLoginQr } from '../../src/store/bots-repo.js';
import { insertPlanned, loadDeliveries, skipPlanned } from '../../src/outbox/outbox.js';
import type { Store } from '../../src/store/connection.js';
import type { AppContext } from '../../src/app/context.js';
import { makeWeeklyReports } from '../../src/app/weekly-reports.js';
import { unzip } from '../support/unzip.js';

/** The routes behind the console, over HTTP as the console calls them (bearer tokens here; the browser uses its session). */
describe('the console\'s API', () => {
  let store: Store & { drop(): Promise<void> };
  let ctx: AppContext;
  let app: Awaited<ReturnType<typeof buildApi>>;
  const clock = new FakeClock('2026-12-01T09:00:00+08:00');
  const tokens: Record<string, string> = {};
  const call = async (user: string, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<LightMyRequestResponse> =>
    app.inject({ method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(body !== undefined ? { payload: body as object } : {}) });
  const json = async <T = Record<string, unknown>>(user: string, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<T> => {
    const r = await call(user, method, url, body);
    if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
    return r.json<T>();
  };
  const elderly = parseYaml(readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8')) as Record<string, unknown>;

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    ctx = testContext(store, clock, captureLogger('warn').log);
    await addPeople(ctx, [
      { id: 'wang.gulou', name: '王警官', roles: ['drafter', 'publisher'], scope: '鼓楼区' },
      { id: 'zheng.city', name: '郑科长', roles: ['reviewer', 'analyst'] },
      { id: 'ops', name: '运维', roles: ['operator'] },
    ]);
    for (const u of ['wang.gulou', 'zheng.city', 'ops']) tokens[u] = await tokenOf(ctx, u);
    // 120 groups: 60 tagged in 鼓楼区 and 仓山区, 60 pending (half named so that a district can be suggested)
    for (let i = 0; i < 120; i++) {
      const district = i % 2 ? '鼓楼区' : '仓山区';
      const topic = i < 60 ? `${district}第${i}社区老年反诈群` : i % 4 ? `${district}${i}号小区老年群` : `邻里互助${i}群`;
      await upsertSeenGroup(store, { roomId: `r${i}@chatroom`, topic, memberCount: 100 + i, botId: 'a', sample: '' }, clock.now());
      if (i < 60) await tagGroup(store, `r${i}@chatroom`, { district, station: district === '鼓楼区' ? '温泉派出所' : '金山派出所', segments: [i % 3 ? 'elderly' : 'general'], taggedBy: 'setup' });
    }
    app = await buildApi({ ctx, secureCookies: false });
  });
  afterAll(async () => {
    await app?.close();
    await store?.drop();
  });

  it('should give the editor its reference data', async () => {
    const ref = await json<{ districts: { name: string; stations: string[] }[]; segments: string[]; scamTypes: { id: string; name: string }[]; quietHours: { elderly: { from: string } } }>('wang.gulou', 'GET', '/api/reference');
    expect(ref.districts).toHaveLength(13);
    expect(ref.districts.find((d) => d.name === '鼓楼区')!.stations).toContain('温泉派出所');
    expect(ref.segments).toEqual(['elderly', 'students', 'shoppers', 'general']);
    expect(ref.scamTypes.length).toBeGreaterThan(10);
    expect(ref.quietHours.elderly.from).toMatch(/^\d\d:\d\d$/);
  });

  it('should page and filter the groups a user may see, with counts by status', async () => {
    const page = await json<{ total: number; rows: { topic: string; district?: string }[]; byStatus: Record<string, number>; members: number }>('wang.gulou', 'GET', '/api/groups?status=active&pageSize=10&page=2');
    expect(page.total).toBe(30);
    expect(page.rows).toHaveLength(10);
    expect(new Set(page.rows.map((r) => r.district))).toEqual(new Set(['鼓楼区']));
    // pending groups whose names suggest 鼓楼区 are the officer's to tag; the unnamed ones are the city's
    expect(page.byStatus).toEqual({ pending: 30, active: 30, paused: 0, left: 0 });
    const search = await json<{ total: number; rows: { topic: string }[] }>('zheng.city', 'GET', `/api/groups?q=${encodeURIComponent('第7社区')}`);
    expect(search.rows.map((r) => r.topic)).toEqual(['鼓楼区第7社区老年反诈群']);
    const general = await json<{ total: number; members: number }>('zheng.city', 'GET', '/api/groups?segment=general&district=%E4%BB%93%E5%B1%B1%E5%8C%BA');
    expect(general.total).toBe(10);
    expect(errorOf(await call('wang.gulou', 'GET', '/api/groups?pageSize=5000'))).toMatchObject({ status: 400, code: 'ZHIMI_E_INVALID' });
  });

  it('should tag the pending groups a user chose as suggested, and name those without a suggestion', async () => {
    const pending = await json<{ rows: { id: string; topic: string; suggestion?: { district: string } }[] }>('wang.gulou', 'GET', '/api/groups?status=pending&pageSize=200');
    const chosen = pending.rows.slice(0, 3);
    expect(chosen.every((g) => g.suggestion?.district === '鼓楼区')).toBe(true);
    const r = await json<{ tagged: { id: string; status: string; district: string }[]; left: string[] }>('wang.gulou', 'POST', '/api/groups/accept-suggestions', { ids: chosen.map((g) => g.id) });
    expect(r.tagged.map((g) => [g.id, g.status, g.district])).toEqual(chosen.map((g) => [g.id, 'active', '鼓楼区']));
    // a reviewer may see groups, not tag them
    expect(errorOf(await call('zheng.city', 'POST', '/api/groups/accept-suggestions', {}))).toMatchObject({ status: 403, code: 'ZHIMI_E_FORBIDDEN' });
    const rest = await json<{ tagged: unknown[]; left: string[] }>('wang.gulou', 'POST', '/api/groups/accept-suggestions', {});
    expect(rest.tagged).toHaveLength(27);
    expect(rest.left).toEqual([]);
  });

  it('should show a group with its latest posts, and refuse one outside the user\'s district', async () => {
    const [g] = (await json<{ rows: { id: string }[] }>('wang.gulou', 'GET', '/api/groups?q=%E7%AC%AC1%E7%A4%BE%E5%8C%BA')).rows;
    await insertPlanned(store, [{ runId: 'console@1', campaignId: 'console', groupId: g!.id, roomId: 'r1@chatroom', botId: 'a', postId: 'elderly-care-01', contentHash: 'h', text: 't', priority: 0, notBefore: clock.now() }]);
    const detail = await json<{ group: { id: string; topic: string }; posts: { postId: string; status: string }[]; last30: { sent: number } }>('wang.gulou', 'GET', `/api/groups/${g!.id}`);
    expect(detail.group.topic).toBe('鼓楼区第1社区老年反诈群');
    expect(detail.posts).toEqual([expect.objectContaining({ postId: 'elderly-care-01', status: 'planned', campaignId: 'console' })]);
    expect(detail.last30.sent).toBe(0);
    const other = (await json<{ rows: { id: string }[] }>('zheng.city', 'GET', '/api/groups?district=%E4%BB%93%E5%B1%B1%E5%8C%BA&status=active')).rows[0]!;
    expect(errorOf(await call('wang.gulou', 'GET', `/api/groups/${other.id}`))).toMatchObject({ status: 403 });
  });

  it('should check a definition from the form with the CLI\'s messages by field, and say whom it reaches and when', async () => {
    const bad = await json<{ ok: boolean; errors: { field: string; message: string }[] }>('wang.gulou', 'POST', '/api/campaigns/check', {
      definition: { ...elderly, id: 'gulou-form', audience: { segments: ['elderly', 'pensioners'], districts: ['鼓楼区'] }, schedule: { cron: '0 0 10 * *' } },
    });
    expect(bad.ok).toBe(false);
    expect(bad.errors).toEqual(expect.arrayContaining([
      { field: 'audience.segments.1', message: expect.stringMatching(/must be one of elderly, students, shoppers, general/) },
    ]));
    const cron = await json<{ errors: { field: string; message: string }[] }>('wang.gulou', 'POST', '/api/campaigns/check', { definition: { ...elderly, id: 'gulou-form', audience: { segments: ['elderly'], districts: ['鼓楼区'] }, schedule: { cron: '0 0 10 * *' } } });
    expect(cron.errors).toEqual([{ field: 'schedule.cron', message: expect.stringMatching(/must have 6 fields/) }]);
    const outside = await json<{ errors: { field: string; message: string }[] }>('wang.gulou', 'POST', '/api/campaigns/check', { definition: { ...elderly, id: 'gulou-form', audience: { segments: ['elderly'], districts: ['仓山区'] } } });
    expect(outside.errors).toEqual([{ field: 'audience.districts', message: '王警官 works for 鼓楼区: an audience of 仓山区 is outside it' }]);
    const good = await json<{ ok: boolean; audience: { groups: number; members: number; byDistrict: { district: string; groups: number }[] }; dueTimes: string[]; quietHours: { applies: string }[]; posts: { id: string }[] }>(
      'wang.gulou', 'POST', '/api/campaigns/check', { definition: { ...elderly, id: 'gulou-form', audience: { segments: ['elderly'], districts: ['鼓楼区'] } } },
    );
    expect(good.ok).toBe(true);
    expect(good.audience.byDistrict.map((d) => d.district)).toEqual(['鼓楼区']);
    expect(good.audience.groups).toBeGreaterThan(20);
    expect(good.dueTimes).toHaveLength(5);
    // Tuesdays and Fridays at 10:00 in Shanghai
    for (const t of good.dueTimes) expect(new Date(t).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' })).toMatch(/ 10:00:00$/);
    expect(good.quietHours).toEqual([{ applies: 'elderly', from: expect.any(String), to: expect.any(String) }]);
    expect(good.posts.length).toBeGreaterThan(3);
  });

  it('should import a campaign file into the form, keep a draft, and submit the form as a version', async () => {
    const parsed = await json<{ definition: Record<string, unknown>; errors: unknown[] }>('wang.gulou', 'POST', '/api/campaigns/parse', { yaml: readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8') });
    expect(parsed.errors).toEqual([]);
    expect(parsed.definition).toMatchObject({ id: 'elderly-weekly', schedule: { cron: '0 0 10 * * 2,5' } });
    expect((await json<{ errors: { field: string; message: string }[] }>('wang.gulou', 'POST', '/api/campaigns/parse', { yaml: 'id: x\nname: [\n' })).errors[0]!.message).toMatch(/^line \d+: invalid YAML/);
    const definition = { ...elderly, id: 'gulou-form', name: '鼓楼长者提醒', audience: { segments: ['elderly'], districts: ['鼓楼区'] } };
    const draft = await json<{ savedBy: string }>('wang.gulou', 'PUT', '/api/campaigns/gulou-form/draft', { definition: { ...definition, schedule: { cron: '' } } });
    expect(draft.savedBy).toBe('wang.gulou');
    expect((await json<{ definition: { name: string } }>('wang.gulou', 'GET', '/api/campaigns/gulou-form/draft')).definition.name).toBe('鼓楼长者提醒');
    expect((await json<{ id: string; status: string }[]>('wang.gulou', 'GET', '/api/campaigns')).find((c) => c.id === 'gulou-form')).toMatchObject({ status: 'draft' });
    expect(errorOf(await call('wang.gulou', 'PUT', '/api/campaigns/cangshan-form/draft', { definition: { audience: { districts: ['仓山区'] } } }))).toMatchObject({ status: 403 });
    const submitted = await json<{ version: number; errors: string[] }>('wang.gulou', 'POST', '/api/campaigns', { definition, reason: '表单提交' });
    expect(submitted).toMatchObject({ version: 1, errors: [] });
    expect((await call('wang.gulou', 'GET', '/api/campaigns/gulou-form/draft')).statusCode).toBe(404);
    const seen = await json<{ yaml: string; posts: unknown[] }>('zheng.city', 'GET', '/api/campaigns/gulou-form/versions/1');
    expect(seen.yaml).toContain('name: 鼓楼长者提醒');
    expect(errorOf(await call('wang.gulou', 'POST', '/api/campaigns', { definition, yaml: 'id: x' }))).toMatchObject({ status: 400 });
  });

  it('should list the library with each variant as a group reads it and where each post is used', async () => {
    const posts = await json<{ id: string; previews: { segment: string; text: string }[]; usedBy: { id: string }[]; validNow: boolean }[]>('wang.gulou', 'GET', '/api/posts?audience=elderly');
    const care = posts.find((p) => p.id === 'elderly-care-01')!;
    expect(care.previews.every((p) => !p.text.includes('{hotline}'))).toBe(true);
    expect(care.usedBy.map((u) => u.id)).toContain('gulou-form');
    expect(posts.every((p) => p.previews.some((v) => v.segment === 'elderly'))).toBe(true);
  });

  it('should show runs in progress with their progress on the dashboard, and stream them as they change', async () => {
    const [g1, g2] = (await json<{ rows: { id: string; roomId: string }[] }>('wang.gulou', 'GET', '/api/groups?status=active&pageSize=2')).rows;
    const due = clock.now();
    const planned = await insertPlanned(store, [g1!, g2!].map((g) => ({ runId: 'gulou-form@due', campaignId: 'gulou-form', groupId: g.id, roomId: g.roomId, botId: 'a', postId: 'elderly-care-01', contentHash: 'h', text: 't', priority: 0 as const, notBefore: due })));
    expect(planned).toHaveLength(2);
    const d = await json<{ runs: { runId: string; total: number; progress: number }[]; tiles: { groups: number; members: number }; attention: { kind: string }[] }>('wang.gulou', 'GET', '/api/dashboard');
    expect(d.runs.find((r) => r.runId === 'gulou-form@due')).toMatchObject({ total: 2, progress: 0 });
    expect(d.tiles.groups).toBeGreaterThan(30);
    const zheng = await json<{ attention: { kind: string; link: string }[] }>('zheng.city', 'GET', '/api/dashboard');
    expect(zheng.attention).toContainEqual({ kind: 'review', text: '1 个活动等待您审批', link: '/review' });
    expect(errorOf(await call('ops', 'GET', '/api/dashboard')).status).toBe(200);
    // the live feed, over a listening server as a browser reads it
    const live = await listeningApi(ctx);
    const res = await fetch(`${live.url}/api/events`, { headers: { authorization: `Bearer ${tokens['wang.gulou']}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const next = async (): Promise<{ event: string; data: { runs: { runId: string; progress: number }[] } }> => {
      let text = '';
      for (;;) {
        const { value } = await reader.read();
        text += value ?? '';
        const m = /event: (\w+)\ndata: (.*)\n\n/.exec(text);
        if (m) return { event: m[1]!, data: JSON.parse(m[2]!) };
      }
    };
    const first = await next();
    expect(first.event).toBe('progress');
    expect(first.data.runs.find((r) => r.runId === 'gulou-form@due')!.progress).toBe(0);
    const states = await loadDeliveries(store, { runIds: ['gulou-form@due'] });
    await skipPlanned(store, states, 'test', clock.now());
    // progress is read at most once per 2 s for every viewer of this process
    clock.advance(2_000);
    const second = await next();
    expect(second.data.runs.find((r) => r.runId === 'gulou-form@due')!.progress).toBe(1);
    await reader.cancel();
    await live.close();
  });

  it('should make the weekly reports once per week and district, each read only by those of its district, and export a report as CSV or XLSX', async () => {
    // a post of each district's own that week: each district's report ranks its own, the city's both
    const counter = (postId: string, district?: string) => ({ _id: `${postId}|${district ?? ''}`, day: '2026-11-24', campaignId: 'c-week', writer: 'w', postId, ...(district ? { district } : {}), sent: 3, reach: 300, reply: 6 });
    await store.models.Counters.post.insertMany([counter('post-of-gulou'), counter('post-of-cangshan')]);
    await store.models.Counters.post_d.insertMany([counter('post-of-gulou', '鼓楼区'), counter('post-of-cangshan', '仓山区')]);
    // a district's analyst ranks the district's posts (the posts report was refused to them before posts were counted per district)
    const ranked = await json<{ rows: { post: string }[] }>('wang.gulou', 'GET', '/api/reports/posts?from=2026-11-23&to=2026-11-29');
    expect(ranked.rows.map((r) => r.post)).toEqual(['post-of-gulou']);
    // the content library's 30 days: a district's user sees the post's figures in their district, the city's the city's
    const real = ctx.library()[0]!.id;
    await store.models.Counters.post.insertMany([{ ...counter(real), sent: 5 }]);
    await store.models.Counters.post_d.insertMany([{ ...counter(real, '鼓楼区'), sent: 2 }, { ...counter(real, '仓山区'), sent: 3 }]);
    const last30 = async (user: string) => (await json<{ id: string; last30: { sent: number } }[]>(user, 'GET', '/api/posts')).find((p) => p.id === real)!.last30.sent;
    expect(await last30('wang.gulou')).toBe(2);
    expect(await last30('zheng.city')).toBe(5);
    const first = await makeWeeklyReports(ctx, '2026-11-25');
    expect(first.made).toHaveLength(14);
    expect(first.made[0]).toBe('2026-11-23:全市');
    expect((await makeWeeklyReports(ctx, '2026-11-29')).existed).toHaveLength(14);
    const all = await json<{ id: string; district: string; from: string; to: string }[]>('zheng.city', 'GET', '/api/weekly-reports');
    expect(all).toHaveLength(14);
    expect(all[0]).toMatchObject({ from: '2026-11-23', to: '2026-11-29' });
    const mine = await json<{ id: string; district: string }[]>('wang.gulou', 'GET', '/api/weekly-reports');
    expect(mine.map((r) => r.district)).toEqual(['鼓楼区']);
    expect(errorOf(await call('wang.gulou', 'GET', `/api/weekly-reports/${encodeURIComponent('2026-11-23:全市')}`))).toMatchObject({ status: 403 });
    const file = await call('wang.gulou', 'GET', `/api/weekly-reports/${encodeURIComponent(mine[0]!.id)}`);
    expect(file.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const book = unzip(file.rawPayload);
    expect(book.get('xl/workbook.xml')!.toString()).toContain('<sheet name="概况"');
    expect(book.get('xl/worksheets/sheet1.xml')!.toString()).toContain('2026-11-23 至 2026-11-29');
    const topPosts = (b: Map<string, Buffer>): string => b.get('xl/worksheets/sheet3.xml')!.toString();
    expect(book.get('xl/workbook.xml')!.toString()).toContain('<sheet name="热门帖子"');
    expect(topPosts(book)).toContain('post-of-gulou');
    expect(topPosts(book)).not.toContain('post-of-cangshan');
    const city = unzip((await call('zheng.city', 'GET', `/api/weekly-reports/${encodeURIComponent('2026-11-23:全市')}`)).rawPayload);
    expect(topPosts(city)).toContain('post-of-gulou');
    expect(topPosts(city)).toContain('post-of-cangshan');
    const csv = await call('zheng.city', 'GET', '/api/reports/reach/export?format=csv&by=day&from=2026-11-23&to=2026-11-29');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.startsWith('\ufeffday,deliveries,groups,reach,uniqueReach,exact') || csv.body === '\ufeff').toBe(true);
    const x = await call('zheng.city', 'GET', '/api/reports/engagement/export?format=xlsx&by=segment');
    expect(unzip(x.rawPayload).has('xl/worksheets/sheet1.xml')).toBe(true);
    expect(errorOf(await call('ops', 'GET', '/api/reports/reach/export'))).toMatchObject({ status: 403 });
  });

  it('should draw the QR code a bot waits to have scanned for fleet operators only, and audit each showing', async () => {
    expect(errorOf(await call('ops', 'GET', '/api/fleet/alpha/qr.svg'))).toMatchObject({ status: 404, message: 'bot alpha is not waiting for a QR code to be scanned' });
    await recordLoginQr(store, 'alpha', '/tmp/alpha.png', 'https://login.weixin.qq.com/l/test-code');
    const svg = await call('ops', 'GET', '/api/fleet/alpha/qr.svg');
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(errorOf(await call('wang.gulou', 'GET', '/api/fleet/alpha/qr.svg'))).toMatchObject({ status: 403 });
    expect(await store.models.Audit.countDocuments({ action: 'fleet.show-qr', 'actor.id': 'ops' })).toBe(1);
  });

  function errorOf(r: LightMyRequestResponse): { status: number; code: string; message: string } {
    return { status: r.statusCode, ...r.json<{ code: string; message: string }>() };
  }
});
