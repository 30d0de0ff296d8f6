import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { startLinkServer, type LinkServer, type LinkServerOptions } from '../../../src/api/link-server.js';
import { linkCode } from '../../../src/shared/link-code.js';
import type { Post } from '../../../src/content/post-schema.js';
import { captureLogger } from '../../support/log.js';

const KEY = 'a-link-key-of-thirty-two-bytes!!';
const ID = '6744a1b2c3d4e5f601234567';
const LINK = 'https://www.mps.gov.cn/fanzha';
const WECHAT = 'Mozilla/5.0 (iPhone) MicroMessenger/8.0';

let server: LinkServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A link server over a recorder that counts clicks, with the time under the test's control. */
async function start(o: Partial<LinkServerOptions> = {}): Promise<{ url: string; clicks: { id: string; client: string }[]; clock: { ms: number } }> {
  const clicks: { id: string; client: string }[] = [];
  const clock = { ms: Date.parse('2026-11-25T10:05:00Z') };
  server = await startLinkServer({
    recorder: { onClick: async (id, client) => (clicks.push({ id, client }), { postId: 'p-link' } as never) },
    library: [{ id: 'p-link', link: LINK } as Post],
    allowedDomains: ['mps.gov.cn'],
    log: captureLogger('silent').log,
    port: 0,
    key: KEY,
    now: () => clock.ms,
    ...o,
  });
  return { url: server.url, clicks, clock };
}

const get = (url: string, ua = WECHAT, method = 'GET') => fetch(url, { method, redirect: 'manual', headers: { 'user-agent': ua } });

describe('the link server', () => {
  it('should open only codes signed with its key: an id alone, as the old codes were, is not found', async () => {
    const s = await start();
    const old = Buffer.from(ID, 'hex').toString('base64url');
    expect((await get(`${s.url}/r/${old}`)).status).toBe(404);
    expect((await get(`${s.url}/r/${linkCode(ID, 'another-key-of-thirty-two-bytes!')}`)).status).toBe(404);
    const ok = await get(`${s.url}/r/${linkCode(ID, KEY)}`);
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe(LINK);
    expect(s.clicks).toEqual([{ id: ID, client: 'wechat' }]);
  });

  it('should count a click once per code, client family and hour, and never a HEAD', async () => {
    const s = await start();
    const url = `${s.url}/r/${linkCode(ID, KEY)}`;
    for (let i = 0; i < 5; i++) expect((await get(url)).status).toBe(302);
    expect((await get(url, WECHAT, 'HEAD')).status).toBe(200);
    expect(s.clicks).toHaveLength(1);
    expect((await get(url, 'Mozilla/5.0 (Windows NT 10.0)')).headers.get('location')).toBe(LINK);
    expect(s.clicks.map((c) => c.client)).toEqual(['wechat', 'desktop']);
    s.clock.ms += 3600_000;
    await get(url);
    expect(s.clicks).toHaveLength(3);
  });

  it('should cap the requests of one client a minute', async () => {
    const s = await start({ perClientPerMinute: 10 });
    const url = `${s.url}/r/${linkCode(ID, KEY)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await get(url)).status);
    expect(statuses.filter((x) => x === 429)).toHaveLength(5);
    expect((await get(url)).headers.get('retry-after')).toBe('60');
    s.clock.ms += 60_000;
    expect((await get(url)).status).toBe(302);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('should close a socket that sends its headers too slowly, and keep open sockets under a cap', async () => {
    const s = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 3 });
    const { port } = new URL(s.url);
    /** A socket, and how long after it opened it was closed by the server. */
    const open = (): Promise<{ sock: Socket; closed: Promise<number> }> =>
      new Promise((resolve) => {
        const t0 = Date.now();
        const sock = connect(Number(port), '127.0.0.1');
        const closed = new Promise<number>((done) => sock.once('close', () => done(Date.now() - t0)));
        sock.on('error', () => undefined);
        sock.resume(); // read what the server says (its 408), so its close is seen
        // a socket past the cap may be closed before it says it connected
        sock.once('connect', () => resolve({ sock, closed }));
        sock.once('close', () => resolve({ sock, closed }));
      });
    const slow = await open();
    slow.sock.write('GET /r/x HTTP/1.1\r\nHost: a\r\n');
    const silent = await open();
    const third = await open();
    const fourth = await open();
    // the fourth is past the cap: closed at once
    expect(await fourth.closed).toBeLessThan(1000);
    // before, slow and silent sockets stayed open (2,000 of them for 77 s)
    for (const ms of await Promise.all([slow.closed, silent.closed, third.closed])) expect(ms).toBeLessThan(3000);
  });
});
