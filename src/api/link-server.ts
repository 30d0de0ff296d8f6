import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import type { Post } from '../content/post-schema.js';
import type { EngagementRecorder } from '../engagement/recorder.js';
import { deliveryIdOfCode } from '../shared/link-code.js';
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

/**
 * Zhimi's HTTP server for tracked links: `GET /r/<code>` records a click on
 * the delivery the code names (no address, no user agent beyond a coarse
 * family) and redirects to the post's link, only if that link is on the
 * allow list. `GET /healthz` answers `ok`.
 */
export async function startLinkServer(o: LinkServerOptions): Promise<LinkServer> {
  const log = o.log.child({ module: 'links' });
  const posts = new Map(o.library.map((p) => [p.id, p]));
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'method not allowed');
    if (path === '/healthz') return reply(res, 200, 'ok');
    const m = /^\/r\/([A-Za-z0-9_-]+)$/.exec(path);
    const id = m ? deliveryIdOfCode(m[1]!) : undefined;
    if (!id) return reply(res, 404, '链接不存在');
    const d = await o.recorder.onClick(id, clientFamily(req.headers['user-agent']));
    const link = d ? posts.get(d.postId)?.link : undefined;
    if (!d || !link) return reply(res, 404, '链接不存在或已失效');
    if (!isAllowedLink(link, o.allowedDomains)) {
      log.warn({ postId: d.postId }, 'a post link is not on the allow list; not redirecting');
      return reply(res, 404, '链接不存在或已失效');
    }
    res.writeHead(302, { location: link, 'cache-control': 'no-store' }).end();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'link request failed');
      if (!res.headersSent) reply(res, 500, '服务暂时不可用');
    });
  });
  await new Promise<void>((resolve) => server.listen(o.port, o.host ?? '127.0.0.1', resolve));
  const a = server.address() as AddressInfo;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${a.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}
