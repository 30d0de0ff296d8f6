import type { Command } from 'commander';
import { createLogger } from '../log/logger.js';
import { createAppContext, type AppContext } from '../app/context.js';
import { faceEnvironment, type Face } from '../config/database-uri.js';

/** The application context of one command, from the global options (`--bots-dir`, `--content-dir`, `--log-level`). */
export function contextOf(program: Command, logLevel?: string): AppContext {
  const o = program.opts<{ botsDir?: string; contentDir?: string; logLevel?: string }>();
  const level = o.logLevel ?? logLevel;
  return createAppContext({ log: createLogger(level ? { level } : {}), botsDir: o.botsDir, contentDir: o.contentDir });
}

/** Run a command's work with its context, and close the context (the database) whatever happens. */
export async function withContext<T>(ctx: AppContext, work: (ctx: AppContext) => Promise<T>): Promise<T> {
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}

/** Print a line on standard output (what a command answers; logs go to standard error). */
export const out = (s: string): void => void process.stdout.write(s + '\n');

/** Resolve on Ctrl-C or SIGTERM (a command that runs until stopped). */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/**
 * A long-running face (the worker, the API, the link server) uses its own
 * database URI when one is set (ZHIMI_WORKER_MONGODB_URI …): call before the
 * command's context is made.
 */
export function useFaceDatabase(face: Face): void {
  const uri = faceEnvironment(face, process.env)['MONGODB_URI'];
  if (uri) process.env['MONGODB_URI'] = uri;
}
