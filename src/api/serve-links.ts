import { hostname } from 'node:os';
import { createMemberKeyer } from '../audience/member-key.js';
import { recorderFor } from '../engagement/recorder.js';
import { loadScamTypes } from '../content/library.js';
import type { AppContext } from '../app/context.js';
import { startLinkServer } from './link-server.js';

/** Start the link server of `zhimi serve` with its own click recorder; `stop()` closes it and writes what was recorded. */
export async function serveLinks(ctx: AppContext, o: { host: string; port: number }): Promise<{ url: string; stop(): Promise<void> }> {
  const store = await ctx.store();
  const recorder = recorderFor({ contentDir: ctx.contentDir, fleet: ctx.fleet(), store, keyer: createMemberKeyer(ctx.env.memberKey), clock: ctx.clock, log: ctx.log, writer: `links-${hostname()}-${process.pid}` });
  const server = await startLinkServer({ recorder, library: ctx.library(), allowedDomains: loadScamTypes(ctx.contentDir).allowedLinkDomains, log: ctx.log, host: o.host, port: o.port });
  return {
    url: server.url,
    async stop() {
      await server.close();
      await recorder.close();
    },
  };
}
