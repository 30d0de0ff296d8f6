import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import type { Post } from '../content/post-schema.js';
import type { EngagementRecorder } from '../engagement/recorder.js';
import { deliveryIdOfCode, useLinkKey } from '../shared/link-code.js';
import { clientFamily } from './client-family.js';

export interface LinkServerOptions {
  recorder: Pick<EngagementRecorder, 'onClick'>;
  library: readonly Post[];
  /** Links may point only to these domains or their subdomains (content/scam-types.yaml). */
  allowedDomains: readonly string[];
  log: Logger;
  /** @defaultValue 127.0.0.1 */
  host?: string;
  /** 0 = any free port. */
  port: number;
  /**
   * The key that signs link codes (ZHIMI_LINK_KEY; the workers sign with the
   * same). @defaultValue a random key of this server's own, registered for its
   * address: only links planned in this process open (the demo)
   */
  key?: string;
  /** Requests one client (by address, kept in memory only) may make a minute; more are answered 429. @defaultValue 60 */
  perClientPerMinute?: number;
  /** Sockets open at once; more are closed at once. @defaultValue 1000 */
  maxConnections?: number;
  /** Time a client has to send its request headers. @defaultValue 5000 */
  headersTimeoutMs?: number;
  /** Time a client has to send its whole request, and a socket may stay idle. @defaultValue 10000 */
  requestTimeoutMs?: number;
  /** The time in ms (tests move it). @defaultValue Date.now */
  now?: () => number;
}

export interface LinkServer {
  url: string;
  close(): Promise<void>;
}

export function isAllowedLink(link: string, allowed: readonly string[]): boolean {
  try {
    const u = new URL(link);
    return u.protocol === 'https:' && allowed.some((d) => u.hostname === d || u.hostname.endsWith(`.${d}`));
  } catch {
    return false;
  }
}

/** Clients and clicks remembered at most (the oldest are forgotten first). */
const MEMORY_ENTRIES = 50_000;
const HOUR_MS = 3600_000;
const MINUTE_MS = 60_000;

/**
 * Zhimi's HTTP server for tracked links: `GET /r/<code>` records a click on
 * the delivery the code names — once per code, client family and hour; a
 * `HEAD` never — (no address, no user agent beyond a coarse family) and
 * redirects to the post's link, only if that link is on the allow list. A
 * code must carry the link key's MAC (see link-code.ts), so codes cannot be
 * guessed. Each client may make `perClientPerMinute` requests; slow or
 * idle clients are cut off after the header and request timeouts, and at
 * most `maxConnections` sockets are open. `GET /healthz` answers `ok`.
 */
export async function startLinkServer(o: LinkServerOptions): Promise<LinkServer> {
  const log = o.log.child({ module: 'links' });
  const posts = new Map(o.library.map((p) => [p.id, p]));
  const key = o.key ?? randomBytes(32).toString('hex');
  const now = o.now ?? Date.now;
  const perMinute = o.perClientPerMinute ?? 60;
  const headersTimeout = o.headersTimeoutMs ?? 5000;
  const requestTimeout = Math.max(o.requestTimeoutMs ?? 10_000, headersTimeout);
  /** Requests per client address in the current minute (memory only: no address is stored or logged). */
  const clients = new Bounded<{ minute: number; count: number }>(MEMORY_ENTRIES);
  /** Clicks counted this hour, by code and client family, with where they led. */
  const clicks = new Bounded<{ hour: number; link: string }>(MEMORY_ENTRIES);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'method not allowed');
    if (path === '/healthz') return reply(res, 200, 'ok');
    if (overRate(req.socket.remoteAddress ?? '')) {
      res.writeHead(429, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '60' }).end('请求过于频繁，请稍后再试');
      return;
    }
    const m = /^\/r\/([A-Za-z0-9_-]+)$/.exec(path);
    const id = m ? deliveryIdOfCode(m[1]!, key) : undefined;
    if (!id) return reply(res, 404, '链接不存在');
    // a HEAD (link previews, scanners) is no click
    if (req.method === 'HEAD') return reply(res, 200, '');
    const family = clientFamily(req.headers['user-agent']);
    const hour = Math.floor(now() / HOUR_MS);
    const seen = clicks.get(`${m![1]}|${family}`);
    if (seen && seen.hour === hour) return redirect(res, seen.link);
    const d = await o.recorder.onClick(id, family);
    const link = d ? posts.get(d.postId)?.link : undefined;
    if (!d || !link) return reply(res, 404, '链接不存在或已失效');
    if (!isAllowedLink(link, o.allowedDomains)) {
      log.warn({ postId: d.postId }, 'a post link is not on the allow list; not redirecting');
      return reply(res, 404, '链接不存在或已失效');
    }
    clicks.set(`${m![1]}|${family}`, { hour, link });
    redirect(res, link);
  };

  const overRate = (client: string): boolean => {
    const minute = Math.floor(now() / MINUTE_MS);
    const c = clients.get(client);
    if (!c || c.minute !== minute) {
      clients.set(client, { minute, count: 1 });
      return false;
    }
    c.count++;
    return c.count > perMinute;
  };

  const server = createServer(
    { headersTimeout, requestTimeout, keepAliveTimeout: Math.min(5000, requestTimeout), connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeout / 2)) },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        log.error({ err }, 'link request failed');
        if (!res.headersSent) reply(res, 500, '服务暂时不可用');
      });
    },
  );
  server.maxConnections = o.maxConnections ?? 1000;
  // a socket that says nothing at all is closed too
  server.setTimeout(requestTimeout, (socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(o.port, o.host ?? '127.0.0.1', resolve));
  const a = server.address() as AddressInfo;
  const url = `http://${o.host ?? '127.0.0.1'}:${a.port}`;
  if (!o.key) useLinkKey({ base: url, key });
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}

function redirect(res: ServerResponse, link: string): void {
  res.writeHead(302, { location: link, 'cache-control': 'no-store' }).end();
}

/** A map that forgets its oldest entries past a size (the order of last write). */
class Bounded<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }
}
