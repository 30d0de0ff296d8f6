import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { openTestStore } from '../support/db.js';
import { captureLogger } from '../support/log.js';
import { FakeClock } from '../support/clock.js';
import { addPeople, TEST_PASSWORD } from '../support/api.js';
import { testContext } from '../support/people.js';
import { stepAt, totpCode } from '../../src/shared/totp.js';
import { buildApi } from '../../src/api/server.js';
import { SESSION_COOKIE } from '../../src/api/request-actor.js';
import { paths } from '../../src/config/paths.js';
import { tagGroup, upsertSeenGroup } from '../../src/store/groups-repo.js';
import type { Store } from '../../src/store/connection.js';
import type { AppContext } from '../../src/app/context.js';

/**
 * Who is acting, over HTTP (`inject()`): every way of acting as someone else
 * that worked before users existed, attempted and refused with a clear error.
 */
describe('the API acts only as an authenticated user, within their roles and scope', () => {
  let store: Store & { drop(): Promise<void> };
  let ctx: AppContext;
  let app: Awaited<ReturnType<typeof buildApi>>;
  const clock = new FakeClock('2026-12-01T09:00:00+08:00');
  const elderly = readFileSync(join(paths.content, 'campaigns', 'elderly-weekly.yaml'), 'utf8');
  /** A campaign file of the shipped one's shape, with another id and audience districts. */
  const campaignYaml = (id: string, districts: string, extra: (s: string) => string = (s) => s): string =>
    extra(elderly.replace(/^id: .*/m, `id: ${id}`).replace(/districts: \[[^\]]*\]/, `districts: [${districts}]`));

  type Who = { cookie?: string; csrf?: string; token?: string };
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, who: Who = {}, body?: unknown): Promise<LightMyRequestResponse> =>
    app.inject({
      method, url,
      headers: { ...(who.cookie ? { cookie: who.cookie } : {}), ...(who.csrf ? { 'x-csrf-token': who.csrf } : {}), ...(who.token ? { authorization: `Bearer ${who.token}` } : {}) },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  const signIn = async (user: string, password = TEST_PASSWORD): Promise<Who & { res: LightMyRequestResponse }> => {
    const res = await call('POST', '/api/session', {}, { user, password });
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    return { res, ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie.value}`, csrf: res.json<{ csrf: string }>().csrf } : {}) };
  };
  const tokenFor = async (user: string, extra: Record<string, unknown> = {}): Promise<{ token: string; tokenId: string }> =>
    (await call('POST', '/api/tokens', {}, { name: 'script', user, password: TEST_PASSWORD, ...extra })).json();
  const errorOf = (r: LightMyRequestResponse): { status: number; code: string; message: string } => ({ status: r.statusCode, ...r.json<{ code: string; message: string }>() });

  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
    ctx = testContext(store, clock, captureLogger('warn').log);
    await addPeople(ctx, [
      { id: 'root.admin', name: '管理员', roles: ['admin'] },
      { id: 'wang.gulou', name: '王警官', roles: ['drafter', 'publisher'], scope: '鼓楼区', wechatIds: ['officer-gulou-wang'] },
      { id: 'chen.cangshan', name: '陈警官', roles: ['drafter'], scope: '仓山区' },
      { id: 'zheng.city', name: '郑科长', roles: ['reviewer'] },
      { id: 'huang.city', name: '黄科长', roles: ['reviewer', 'drafter'] },
      { id: 'zhao.analyst', name: '赵分析员', roles: ['analyst'] },
      { id: 'locked.out', name: '锁定测试', roles: ['drafter'] },
    ]);
    for (const [i, district] of ['鼓楼区', '仓山区'].entries()) {
      await upsertSeenGroup(store, { roomId: `g${i}@chatroom`, topic: `${district}老年反诈群`, memberCount: 40, botId: 'a', sample: '' }, clock.now());
      await tagGroup(store, `g${i}@chatroom`, { district, station: district === '鼓楼区' ? '温泉派出所' : '金山派出所', segments: ['elderly'], taggedBy: 'setup' });
    }
    app = await buildApi({ ctx, secureCookies: true, signInsPerMinute: 1000 });
  });
  afterAll(async () => {
    await app?.close();
    await store?.drop();
  });

  it('should serve its OpenAPI document with every route and interactive docs', async () => {
    const doc = (await call('GET', '/api/openapi.json')).json<{ openapi: string; paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } }>();
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/api/session', '/api/tokens', '/api/campaigns', '/api/campaigns/{id}/approve', '/api/campaigns/{id}/versions/{version}', '/api/groups/{ref}/tag', '/api/users', '/api/audit/verify', '/api/reports/{kind}', '/api/scamcheck', '/api/fleet']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['token', 'session']);
    const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('should answer a request without a user 401, and an unknown address with a 404 naming it', async () => {
    expect(errorOf(await call('GET', '/api/campaigns'))).toMatchObject({ status: 401, code: 'ZHIMI_E_AUTH' });
    expect(errorOf(await call('POST', '/api/campaigns/community-weekly/approve', {}, { version: 1 }))).toMatchObject({ status: 401, code: 'ZHIMI_E_AUTH' });
    expect(errorOf(await call('GET', '/api/nothing-here'))).toMatchObject({ status: 404, code: 'ZHIMI_E_NOT_FOUND', message: 'no such address: GET /api/nothing-here' });
  });

  it('should sign in with an httpOnly, SameSite=Strict, Secure session cookie and refuse a change without its CSRF token', async () => {
    const wang = await signIn('wang.gulou');
    expect(wang.res.statusCode).toBe(200);
    const cookie = wang.res.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: true, path: '/' });
    expect(wang.res.json()).toMatchObject({ actor: { id: 'wang.gulou', roles: ['drafter', 'publisher'], scope: '鼓楼区' } });
    const body = { yaml: campaignYaml('gulou-elderly', '鼓楼区') };
    expect(errorOf(await call('POST', '/api/campaigns', { cookie: wang.cookie }, body))).toMatchObject({ status: 403, code: 'ZHIMI_E_CSRF' });
    expect(errorOf(await call('POST', '/api/campaigns', { cookie: wang.cookie, csrf: 'guessed' }, body))).toMatchObject({ status: 403, code: 'ZHIMI_E_CSRF' });
    const ok = await call('POST', '/api/campaigns', wang, body);
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ id: 'gulou-elderly', status: 'submitted', version: 1, submittedBy: 'wang.gulou' });
    // signed out: the cookie no longer names anyone
    expect((await call('DELETE', '/api/session', wang)).statusCode).toBe(204);
    expect(errorOf(await call('GET', '/api/campaigns', { cookie: wang.cookie }))).toMatchObject({ status: 401 });
  });

  it('should lock a user out after five failed sign-ins, even with the right password, say until when, and audit it', async () => {
    for (let i = 0; i < 5; i++) expect(errorOf((await signIn('locked.out', 'wrong password guess')).res)).toMatchObject({ status: 401, code: 'ZHIMI_E_AUTH', message: 'wrong user name or password' });
    const locked = errorOf((await signIn('locked.out')).res);
    expect(locked).toMatchObject({ status: 429, code: 'ZHIMI_E_LOCKED' });
    expect(locked.message).toMatch(/too many failed sign-ins for locked\.out: try again after 2026-12-01T01:1\d:\d\d\.\d{3}Z or ask an admin to reset the password/);
    // an unknown user is told the same as a wrong password
    expect(errorOf((await signIn('nobody.here')).res)).toMatchObject({ status: 401, message: 'wrong user name or password' });
    clock.advance(16 * 60_000);
    expect((await signIn('locked.out')).res.statusCode).toBe(200);
    const admin = await signIn('root.admin');
    const audit = (await call('GET', '/api/audit?limit=50', admin)).json<{ action: string; target: { id: string } }[]>();
    expect(audit.filter((a) => a.action === 'auth.lock-out').map((a) => a.target.id)).toEqual(['locked.out']);
  });

  it('should limit sign-in tries per client address', async () => {
    const strict = await buildApi({ ctx, secureCookies: true, signInsPerMinute: 3 });
    const attempt = () => strict.inject({ method: 'POST', url: '/api/session', payload: { user: 'zhao.analyst', password: 'not it at all' } });
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).json()).toMatchObject({ code: 'ZHIMI_E_LOCKED', message: 'too many sign-in tries from this address: wait a minute' });
    await strict.close();
  });

  it('should refuse an expired token, a revoked one, a disabled user\'s, and a token asking for roles its user lacks', async () => {
    const short = await tokenFor('zhao.analyst', { days: 1 });
    expect(short.token).toMatch(/^zhm_/);
    expect((await call('GET', '/api/session', { token: short.token })).json()).toMatchObject({ actor: { id: 'zhao.analyst' } });
    clock.advance(25 * 3_600_000);
    expect(errorOf(await call('GET', '/api/session', { token: short.token }))).toMatchObject({ status: 401, code: 'ZHIMI_E_AUTH', message: 'the API token is unknown, expired or revoked: make a new one (zhimi login)' });
    const revoked = await tokenFor('zhao.analyst');
    expect((await call('DELETE', `/api/tokens/${revoked.tokenId}`, { token: revoked.token })).statusCode).toBe(204);
    expect(errorOf(await call('GET', '/api/session', { token: revoked.token }))).toMatchObject({ status: 401 });
    // only its hash is stored
    expect(await store.models.Token.countDocuments({ _id: revoked.token })).toBe(0);
    const chen = await tokenFor('chen.cangshan');
    const admin = await signIn('root.admin');
    expect((await call('PATCH', '/api/users/chen.cangshan', admin, { disabled: true })).statusCode).toBe(200);
    expect(errorOf(await call('GET', '/api/campaigns', { token: chen.token }))).toMatchObject({ status: 401 });
    expect((await signIn('chen.cangshan')).res.json()).toMatchObject({ code: 'ZHIMI_E_AUTH', message: 'chen.cangshan is disabled: ask an admin' });
    expect((await call('PATCH', '/api/users/chen.cangshan', admin, { disabled: false })).statusCode).toBe(200);
    expect(errorOf(await call('POST', '/api/tokens', {}, { name: 'x', user: 'zhao.analyst', password: TEST_PASSWORD, roles: ['admin'] }))).toMatchObject({ status: 403, code: 'ZHIMI_E_FORBIDDEN', message: 'zhao.analyst does not hold admin here: a token\'s roles are at most those of whoever makes it' });
    // a token with fewer roles than its user acts with those only
    const readOnly = await tokenFor('huang.city', { roles: ['drafter'] });
    expect((await call('GET', '/api/campaigns/gulou-elderly/versions/1', { token: readOnly.token })).statusCode).toBe(200);
    expect(errorOf(await call('POST', '/api/campaigns/gulou-elderly/approve', { token: readOnly.token }, { version: 1 }))).toMatchObject({ status: 403, code: 'ZHIMI_E_FORBIDDEN' });
  });

  it('should never let a reviewer approve their own campaign, however the submissions are arranged', async () => {
    const huang = await signIn('huang.city');
    expect((await call('POST', '/api/campaigns', huang, { yaml: campaignYaml('city-elderly', 'all') })).statusCode).toBe(201);
    const own = errorOf(await call('POST', '/api/campaigns/city-elderly/approve', huang, { version: 1 }));
    expect(own).toMatchObject({ status: 403, code: 'ZHIMI_E_FORBIDDEN', message: '黄科长 submitted a version under review since the last approval: its review must come from someone else' });
    // someone else re-submits over it: still theirs in part
    const root = await signIn('root.admin');
    expect((await call('POST', '/api/campaigns', root, { yaml: campaignYaml('city-elderly', 'all'), reason: '换了时间' })).json()).toMatchObject({ version: 2, submittedBy: 'root.admin' });
    expect(errorOf(await call('POST', '/api/campaigns/city-elderly/approve', huang, { version: 2 }))).toMatchObject({ status: 403 });
    expect((await call('GET', '/api/campaigns/review', huang)).json<{ id: string }[]>().map((c) => c.id)).not.toContain('city-elderly');
    // a drafter cannot approve at all
    const wang = await signIn('wang.gulou');
    expect(errorOf(await call('POST', '/api/campaigns/gulou-elderly/approve', wang, { version: 1 }))).toMatchObject({ status: 403, message: '王警官 (drafter, publisher) may not approve or reject campaigns' });
    const zheng = await signIn('zheng.city');
    expect((await call('GET', '/api/campaigns/review', zheng)).json<{ id: string }[]>().map((c) => c.id)).toEqual(expect.arrayContaining(['city-elderly', 'gulou-elderly']));
    expect((await call('POST', '/api/campaigns/city-elderly/approve', zheng, { version: 2 })).json()).toMatchObject({ id: 'city-elderly', status: 'approved', version: 2 });
  });

  it('should refuse the approval of a version that is no longer under review, saying what changed', async () => {
    const wang = await signIn('wang.gulou');
    const zheng = await signIn('zheng.city');
    const seen = (await call('GET', '/api/campaigns/gulou-elderly/versions/1', zheng)).json<{ mayReview: boolean; changes: string[] }>();
    expect(seen).toMatchObject({ mayReview: true, changes: ['a first version: everything is new'] });
    // meanwhile the drafter widens it to every segment, urgent
    const wider = campaignYaml('gulou-elderly', '鼓楼区', (s) => s.replace(/segments: \[[^\]]*\]/, 'segments: []').replace(/priority: \w+/, 'priority: urgent'));
    expect((await call('POST', '/api/campaigns', wang, { yaml: wider })).json()).toMatchObject({ version: 2 });
    const stale = errorOf(await call('POST', '/api/campaigns/gulou-elderly/approve', zheng, { version: 1 }));
    expect(stale).toMatchObject({ status: 409, code: 'ZHIMI_E_STALE_VERSION' });
    expect(stale.message).toMatch(/version 1 is not the one under review: version 2 is \(changed: audience: .*"segments":\["elderly"\].*→.*"segments":\[\].*; priority: "normal" → "urgent"\); review version 2/);
    expect((await call('POST', '/api/campaigns/gulou-elderly/approve', zheng, { version: 2 })).statusCode).toBe(200);
  });

  it('should refuse a reason that is not one line, so nobody can print a false row into a trail', async () => {
    const wang = await signIn('wang.gulou');
    for (const reason of ['改期\n2026-12-01 09:00  郑科长  approve  3', 'tab\there', 'escape \u001b[2J']) {
      expect(errorOf(await call('POST', '/api/campaigns/gulou-elderly/pause', wang, { reason }))).toMatchObject({
        status: 400, code: 'ZHIMI_E_INVALID', message: 'body.reason: must be one line without control characters',
      });
    }
    expect((await call('POST', '/api/campaigns/gulou-elderly/pause', wang, { reason: '春节暂停' })).json()).toMatchObject({ status: 'paused' });
  });

  it('should let a token make only a token with its own roles, ending no later than it, and end every token of a user whose password is reset', async () => {
    const analyst = await tokenFor('huang.city', { roles: ['drafter'], days: 2 });
    // a drafter-only token of a reviewer cannot mint a reviewer's token
    expect(errorOf(await call('POST', '/api/tokens', { token: analyst.token }, { name: 'more', roles: ['reviewer'] }))).toMatchObject({ status: 403, code: 'ZHIMI_E_FORBIDDEN', message: 'huang.city does not hold reviewer here: a token\'s roles are at most those of whoever makes it' });
    const child = (await call('POST', '/api/tokens', { token: analyst.token }, { name: 'child', days: 90 })).json<{ token: string; roles: string[]; expiresAt: string }>();
    expect(child.roles).toEqual(['drafter']);
    expect(new Date(child.expiresAt).getTime()).toBeLessThanOrEqual(clock.now().getTime() + 2 * 86_400_000);
    const admin = await signIn('root.admin');
    const audit = (await call('GET', '/api/audit?limit=5', admin)).json<{ action: string; actor: { via: string } }[]>();
    expect(audit.find((a) => a.action === 'token.create')?.actor.via).toBe('token');
    // a password reset ends what the old password gave: sessions and tokens
    const own = await tokenFor('huang.city');
    expect((await call('POST', '/api/users/huang.city/password', admin, { password: TEST_PASSWORD })).statusCode).toBe(200);
    for (const t of [own, analyst, child]) expect(errorOf(await call('GET', '/api/session', { token: t.token }))).toMatchObject({ status: 401 });
  });

  it('should let a district admin manage only the users of their district', async () => {
    const admin = await signIn('root.admin');
    expect((await call('POST', '/api/users', admin, { id: 'lin.admin', name: '林管理', roles: ['admin'], scope: '鼓楼区', password: TEST_PASSWORD })).statusCode).toBe(201);
    const lin = await signIn('lin.admin');
    expect((await call('POST', '/api/users', lin, { id: 'xu.gulou', name: '徐警官', roles: ['drafter'], scope: '鼓楼区', password: TEST_PASSWORD })).statusCode).toBe(201);
    expect(errorOf(await call('POST', '/api/users', lin, { id: 'evil.city', name: '全市', roles: ['admin'], password: TEST_PASSWORD }))).toMatchObject({ status: 403, message: '林管理 manages users of 鼓楼区 only: 全市 (the whole city) is outside it' });
    expect(errorOf(await call('POST', '/api/users/root.admin/password', lin, { password: 'a new password of mine' }))).toMatchObject({ status: 403 });
    expect(errorOf(await call('PATCH', '/api/users/xu.gulou', lin, { scope: 'city' }))).toMatchObject({ status: 403 });
    expect((await call('GET', '/api/users', lin)).json<{ id: string }[]>().map((u) => u.id).sort()).toEqual(['lin.admin', 'wang.gulou', 'xu.gulou']);
  });

  it('should count sign-in guesses sent at once against the lock-out, and ask an enrolled user for a one-time code usable once', async () => {
    const admin = await signIn('root.admin');
    expect((await call('POST', '/api/users', admin, { id: 'sun.parallel', name: '孙并发', roles: ['analyst'], password: TEST_PASSWORD })).statusCode).toBe(201);
    const guesses = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn('sun.parallel', `wrong guess number ${i}`)));
    const tried = guesses.filter((g) => g.res.statusCode === 401).length;
    expect(tried).toBeLessThanOrEqual(5);
    expect(guesses.filter((g) => g.res.statusCode === 429)).toHaveLength(12 - tried);
    // TOTP
    const { secret } = (await call('POST', '/api/users/zhao.analyst/totp', admin)).json<{ secret: string }>();
    expect(errorOf((await signIn('zhao.analyst')).res)).toMatchObject({ status: 401, message: 'a one-time code (TOTP) from the authenticator app is needed' });
    const code = totpCode(secret, stepAt(clock.now()));
    const first = await call('POST', '/api/session', {}, { user: 'zhao.analyst', password: TEST_PASSWORD, totp: code });
    expect(first.statusCode).toBe(200);
    expect(errorOf(await call('POST', '/api/session', {}, { user: 'zhao.analyst', password: TEST_PASSWORD, totp: code }))).toMatchObject({ status: 401, message: 'wrong or already used one-time code' });
    // asking for the code is not a failed guess: the lock-out counts only the reused code
    expect(await store.models.AuthFailure.countDocuments({ userId: 'zhao.analyst' })).toBe(1);
  });

  it('should keep a district drafter to their district: no audience outside it, no other district\'s campaigns or groups', async () => {
    const wang = await signIn('wang.gulou');
    for (const districts of ['仓山区', 'all', '鼓楼区, 仓山区']) {
      expect(errorOf(await call('POST', '/api/campaigns', wang, { yaml: campaignYaml('wider', districts) }))).toMatchObject({ status: 403, code: 'ZHIMI_E_FORBIDDEN', message: expect.stringMatching(/^王警官 works for 鼓楼区: an audience of .* is outside it$/) });
    }
    const chen = await signIn('chen.cangshan');
    expect((await call('GET', '/api/campaigns', chen)).json<{ id: string }[]>().map((c) => c.id)).toEqual([]);
    expect(errorOf(await call('GET', '/api/campaigns/gulou-elderly', chen))).toMatchObject({ status: 403 });
    expect(errorOf(await call('GET', '/api/campaigns/gulou-elderly/yaml', chen))).toMatchObject({ status: 403 });
    // an id is never a file on the server
    expect(errorOf(await call('GET', `/api/campaigns/${encodeURIComponent('../../content/campaigns/elderly-weekly.yaml')}/preview`, chen))).toMatchObject({ status: 400, code: 'ZHIMI_E_INVALID' });
    expect((await call('GET', '/api/groups', chen)).json<{ rows: { district: string }[] }>().rows.map((g) => g.district)).toEqual(['仓山区']);
    expect(errorOf(await call('POST', '/api/groups/g0@chatroom/tag', chen, { district: '仓山区', segments: ['elderly'] }))).toMatchObject({ status: 403 });
    // nor a pending group named for another district, taken into one's own by its address
    await upsertSeenGroup(store, { roomId: 'pending-gulou@chatroom', topic: '鼓楼区东街老年反诈群', memberCount: 30, botId: 'a', sample: '' }, clock.now());
    expect(errorOf(await call('POST', '/api/groups/pending-gulou@chatroom/tag', chen, { district: '仓山区', segments: ['elderly'] }))).toMatchObject({ status: 403, message: expect.stringMatching(/^陈警官 works for 仓山区: the pending group's name suggests 鼓楼区, outside it/) });
    expect((await call('GET', '/api/campaigns', wang)).json<{ id: string }[]>().map((c) => c.id)).toEqual(['gulou-elderly']);
    // a draft another district keeps (never submitted) is theirs: not overwritten from outside, and each save is audited
    expect((await call('PUT', '/api/campaigns/cangshan-draft/draft', chen, { definition: { name: '仓山草稿', audience: { districts: ['仓山区'] } } })).statusCode).toBe(200);
    expect(errorOf(await call('PUT', '/api/campaigns/cangshan-draft/draft', wang, { definition: { name: '改掉', audience: { districts: ['鼓楼区'] } } }))).toMatchObject({ status: 403, code: 'ZHIMI_E_FORBIDDEN' });
    expect(await store.models.Audit.countDocuments({ action: 'campaign.draft', 'target.id': 'cangshan-draft' })).toBe(1);
  });

  it('should keep users to admins, and the audit to admins and analysts of it', async () => {
    const wang = await signIn('wang.gulou');
    expect(errorOf(await call('GET', '/api/users', wang))).toMatchObject({ status: 403, message: '王警官 (drafter, publisher) may not manage users' });
    expect(errorOf(await call('POST', '/api/users', wang, { id: 'mallory', name: '马某', roles: ['admin'] }))).toMatchObject({ status: 403 });
    expect(errorOf(await call('GET', '/api/audit', wang))).toMatchObject({ status: 403 });
    const admin = await signIn('root.admin');
    const made = (await call('POST', '/api/users', admin, { id: 'li.minhou', name: '李警官', roles: ['drafter'], scope: '闽侯县' })).json<{ user: { id: string; scope: string }; password: string }>();
    expect(made.user).toMatchObject({ id: 'li.minhou', scope: '闽侯县' });
    expect(made.password.length).toBeGreaterThanOrEqual(16);
    expect((await signIn('li.minhou', made.password)).res.statusCode).toBe(200);
    expect(errorOf(await call('POST', '/api/users', admin, { id: 'weak.one', name: '弱', roles: ['drafter'], password: 'short' }))).toMatchObject({ status: 400, message: expect.stringMatching(/password: must be at least 12 characters/) });
  });

  it('should find an edited entry, a removed one and removed newest entries when the audit is verified', async () => {
    const admin = await signIn('root.admin');
    const verify = async () => (await call('GET', '/api/audit/verify', admin)).json<{ ok: boolean; entries: number; seq?: number; problem?: string }>();
    const first = await verify();
    expect(first).toMatchObject({ ok: true });
    expect(first.entries).toBeGreaterThan(20);
    const audit = store.models.Audit.collection;
    const third = (await audit.findOne({ _id: 3 as never }))!;
    await audit.updateOne({ _id: 3 as never }, { $set: { reason: '改过的理由' } });
    expect(await verify()).toMatchObject({ ok: false, seq: 3, problem: 'entry 3 was edited after it was written' });
    await audit.deleteOne({ _id: 3 as never });
    expect(await verify()).toMatchObject({ ok: false, seq: 4, problem: 'entry 3 is missing (removed)' });
    await audit.insertOne(third);
    expect(await verify()).toMatchObject({ ok: true });
    const last = (await audit.find().sort({ _id: -1 }).limit(1).toArray())[0]!;
    await audit.deleteOne({ _id: last._id });
    expect(await verify()).toMatchObject({ ok: false, seq: last._id, problem: `entry ${String(last._id)} is missing (removed): the signed head names entry ${String(last._id)}` });
    await audit.insertOne(last);
    // a rewritten entry with a fresh hash but no key of the installation
    await audit.updateOne({ _id: 5 as never }, { $set: { sig: Buffer.alloc(64).toString('base64') } });
    expect(await verify()).toMatchObject({ ok: false, seq: 5, problem: 'entry 5 is not signed by a key this installation trusts (forged or rewritten)' });
  });
});
