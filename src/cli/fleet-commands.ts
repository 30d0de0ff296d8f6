import type { Command } from 'commander';
import type { AppContext } from '../app/context.js';
import { fleetStatus } from '../app/fleet-status.js';
import { startDevDb, stopDevDb } from '../app/dev-database.js';
import { formatRows, type OutputFormat } from '../reports/format.js';
import { out, untilSignal, useFaceDatabase, withContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { limitHeapGrowth } from '../worker/heap-growth.js';
import { formatOption as format } from './options.js';

export function registerFleetCommands(program: Command, ctx: () => AppContext): void {
  const db = program.command('db').description('the development database (FerretDB), used when MONGODB_URI is unset');
  db.command('start')
    .description('build FerretDB if needed and start it in the background')
    .action(async () => {
      const d = await startDevDb(ctx());
      out(`${d.started ? 'started' : 'already running'}: ${d.uri} (pid ${d.pid})`);
    });
  db.command('stop')
    .description('stop the background development database')
    .action(async () => out((await stopDevDb()) ? 'stopped' : 'not running'));

  const fleetCmd = program.command('fleet').description('run the bots');
  fleetCmd
    .command('start')
    .description('run a fleet worker: bots (by lease), campaign scheduler, delivery; several may run against one database')
    .action(() => {
      useFaceDatabase('worker');
      return withContext(ctx(), async (c) => {
        // Wechaty loads only for this command (every other command starts without it)
        const { runWorker } = await import('../worker/run-worker.js');
        // a process-wide setting, so here at the process's edge: the heap kept near what the worker holds
        const growth = limitHeapGrowth();
        const worker = await runWorker(c);
        // (the heap growth in effect: ZHIMI_WORKER_HEAP_GROWTH, 0 when V8 keeps its own)
        c.log.info({ workerId: worker.workerId, heapGrowthPercent: growth }, 'fleet worker running; Ctrl-C stops it');
        // stopped by a signal, or given up: the database stayed unreachable (exit 3 with what to check; nothing can be written)
        const lost = await Promise.race([untilSignal().then(() => undefined), worker.failed.catch((err: unknown) => err)]);
        if (lost) {
          // nothing can be stopped gracefully without the database: the process ends even if a close hangs on it
          setTimeout(() => process.exit(EXIT.database), 2000).unref();
          throw lost;
        }
        c.log.info('stopping: cron, lanes, bots, leases');
        await worker.stop();
      });
    });

  fleetCmd
    .command('status')
    .description('bots (online, starting, stopped, offline, failed) and the worker running each, groups per bot, queue depth, sent in the last hour and today (of its daily limit), back-off; the workers running')
    .option('--format <f>', 'table | csv | json', format, 'table')
    .action((o: { format: OutputFormat }) =>
      withContext(ctx(), async (c) => {
        const s = await fleetStatus(c);
        // the note says when a QR code waits; the day's budget as used/limit
        out(formatRows(s.bots.map(({ waitingScan: _, sentToday, perDay, ...b }) => ({ ...b, today: `${sentToday}/${perDay}` })), o.format));
        if (o.format === 'table') {
          const shown = (w: (typeof s.workers)[number]): string => `${w.workerId} (${w.bots} bot${w.bots === 1 ? '' : 's'}${w.state === 'late' ? `, late: not heard from for ${w.lastSeenSec} s` : ''})`;
          out(`\nworkers: ${s.workers.length ? s.workers.map(shown).join(', ') : 'none running'}`);
        }
      }),
    );

}
