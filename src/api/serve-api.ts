import { join } from 'node:path';
import { paths } from '../config/paths.js';
import type { AppContext } from '../app/context.js';
import { buildApi } from './server.js';
import { WeeklyReportJob } from '../app/weekly-reports.js';
import { registeredGroups } from '../app/groups.js';

/** Where the built console is (`npm run build:web`). */
export const CONSOLE_DIR = join(paths.root, 'web', 'dist');

/** Start `zhimi serve`: the API and the console, listening. */
export async function serveApi(ctx: AppContext, o: { host: string; port: number; secureCookies?: boolean }): Promise<{ url: string; stop(): Promise<void> }> {
  ctx.readApart();
  const app = await buildApi({ ctx, consoleDir: CONSOLE_DIR, ...(o.secureCookies !== undefined ? { secureCookies: o.secureCookies } : {}) });
  await app.listen({ host: o.host, port: o.port });
  // the group registry read ahead of the first officer (at 69,000 groups on FerretDB that read takes seconds)
  void registeredGroups(ctx).catch((err: unknown) => ctx.log.warn({ err }, 'the group registry could not be read at start; the first list reads it'));
  // last week's reports, made every Monday (and now, if missing): once whichever instance comes first
  const weekly = new WeeklyReportJob(ctx);
  await weekly.start();
  app.addHook('onClose', async () => weekly.stop());
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return { url: `http://${o.host}:${port}`, stop: () => app.close() };
}
