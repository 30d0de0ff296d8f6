/**
 * Warnings that dependencies print and no Zhimi user can act on. Each names
 * where it comes from; anything else is printed as Node prints it.
 */
export const HARMLESS_WARNINGS: readonly { source: string; message: RegExp }[] = [
  // grpc-js ≥ 1.10 binds on bindAsync; wechaty-puppet-service's PuppetServer still calls start() after it
  { source: '@grpc/grpc-js via wechaty-puppet-service', message: /^Calling start\(\) is no longer necessary/ },
];

type WarningListener = (warning: Error) => void;
const INSTALLED = Symbol.for('zhimi.quietHarmlessWarnings');

interface WarningSource {
  listeners(event: 'warning'): Function[];
  removeAllListeners(event: 'warning'): unknown;
  on(event: 'warning', listener: WarningListener): unknown;
}

/** Leave out the harmless warnings of dependencies; every other warning reaches Node's own printer (or whoever listened before). */
export function quietHarmlessWarnings(proc: WarningSource = process): void {
  const mark = proc as { [INSTALLED]?: true };
  if (mark[INSTALLED]) return;
  mark[INSTALLED] = true;
  const before = proc.listeners('warning') as WarningListener[];
  proc.removeAllListeners('warning');
  proc.on('warning', (warning) => {
    if (HARMLESS_WARNINGS.some((h) => h.message.test(warning.message))) return;
    for (const listener of before) listener.call(proc, warning);
  });
}
