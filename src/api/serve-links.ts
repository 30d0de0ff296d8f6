import { hostname } from 'node:os';
import type { MemberKeyer } from '../audience/member-key.js';
import { recorderFor } from '../engagement/recorder.js';
import { loadScamTypes } from '../content/library.js';
import { ConfigError } from '../config/errors.js';
import type { AppContext } from '../app/context.js';
import { startLinkServer } from './link-server.js';

/** The link server keys no member (a click keeps only a coarse client family): it never reads ZHIMI_MEMBER_KEY. */
const noMemberKeys: MemberKeyer = () => {
  throw new Error('the link server keys no member');
};

/**
 * Start the link server of `zhimi serve` with its own click recorder; `stop()`
 * closes it and writes what was recorded. Codes are checked with
 * ZHIMI_LINK_KEY, the key the workers sign them with.
 */
export async function serveLinks(ctx: AppContext, o: { host: string; port: number }): Promise<{ url: string; stop(): Promise<void> }> {
  const key = ctx.env.linkKey;
  if (!key) throw new ConfigError([{ file: 'environment', field: 'ZHIMI_LINK_KEY', message: 'must be set: the key the workers sign tracked links with' }]);
  const store = await ctx.store();
  const recorder = recorderFor({ contentDir: ctx.contentDir, fleet: ctx.fleet(), store, keyer: noMemberKeys, clock: ctx.clock, log: ctx.log, writer: `links-${hostname()}-${process.pid}` });
  const server = await startLinkServer({ recorder, library: ctx.library(), allowedDomains: loadScamTypes(ctx.contentDir).allowedLinkDomains, log: ctx.log, host: o.host, port: o.port, key });
  return {
    url: server.url,
    async stop() {
      await server.close();
      await recorder.close();
    },
  };
}
