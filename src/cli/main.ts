import { Command, CommanderError } from 'commander';
import { exitCodeFor, EXIT } from './exit-codes.js';
import { registerCommands } from './commands.js';
import { quietHarmlessWarnings } from '../log/process-warnings.js';

quietHarmlessWarnings();
// a reader that stops early (`zhimi fleet status | head`) is not a failure: stop writing, end as the command would have
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? EXIT.ok);
  });
}

const program = new Command('zhimi')
  .description('织密 Zhimi: a fleet of WeChat bots for police anti-fraud outreach')
  .option('--bots-dir <dir>', 'folder of bot configs (fleet.yaml + <bot-id>.yaml)')
  .option('--content-dir <dir>', 'content folder (posts/, campaigns/, reference/, scamcheck/ …)')
  .option('--log-level <level>', 'trace | debug | info | warn | error | silent')
  .exitOverride()
  .showHelpAfterError();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.config;
  } else {
    const e = err as Error & { code?: string };
    process.stderr.write(`zhimi: ${e.code ? `[${e.code}] ` : ''}${e.message}\n`);
    if (process.env['ZHIMI_DEBUG']) process.stderr.write(`${e.stack}\n`);
    process.exitCode = exitCodeFor(err);
  }
}
// the command is done (a worker stopped, a report printed) or failed part-way: a connection some library left open
// (database, puppet service, Redis) must not keep the process alive
setTimeout(() => process.exit(), 2000).unref();
