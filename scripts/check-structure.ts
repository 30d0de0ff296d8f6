/**
 * Structure guard, run by `npm test`: the house rules of scripts/structure-rules.ts
 * (steps import only earlier steps, faces go through src/app/, pure modules
 * stay pure, mongoose only in src/store/, wechaty only in src/channels/wechaty/
 * and the simulator, no import cycles) over every file of src/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkStructure } from './structure-rules.js';

const src = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const tree = new Map(files(src).map((f) => [relative(src, f).split(sep).join('/'), readFileSync(f, 'utf8')]));
const problems = checkStructure(tree);
if (problems.length > 0) {
  process.stderr.write(`structure check failed:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`structure check: ${tree.size} modules in order (steps import earlier steps, faces through src/app/, pure modules pure, no cycles)\n`);
