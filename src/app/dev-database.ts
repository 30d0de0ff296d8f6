import { paths } from '../config/paths.js';
import { findRunningDevDatabase, startDevDatabase } from '../store/dev-db.js';
import type { AppContext } from './context.js';

/** The development database (FerretDB), for an operator on the server machine. */

/** Build FerretDB if needed and start it in the background; or find the one running. */
export async function startDevDb(ctx: AppContext): Promise<{ started: boolean; uri: string; pid: number }> {
  const running = await findRunningDevDatabase(paths.state);
  const d = running ?? (await startDevDatabase({ stateDir: paths.state, log: ctx.log, detached: true }));
  return { started: !running, uri: d.uri, pid: d.pid };
}

/** Stop the background development database; false when none was running. */
export async function stopDevDb(): Promise<boolean> {
  const d = await findRunningDevDatabase(paths.state);
  if (!d) return false;
  await d.stop();
  return true;
}
