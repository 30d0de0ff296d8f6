/**
 * Structure guard, run by `npm test`: no import cycles inside src/, modules
 * import only their own layer or lower ones, and only src/store/ imports mongoose.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** Lower number = lower layer. A module may import its own layer or lower. */
const LAYERS: Record<string, number> = {
  config: 0, log: 0, shared: 0, outbox: 0,
  store: 1,
  audience: 2, content: 2, fleet: 2, sim: 2, channels: 2,
  campaigns: 3, delivery: 3, engagement: 3, reports: 3, scamcheck: 3,
  worker: 4, app: 4,
  api: 5, cli: 5, demo: 5,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const problems: string[] = [];
const graph = new Map<string, string[]>();
const importRe = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

for (const file of files(src)) {
  const rel = relative(src, file);
  const mod = rel.split('/')[0]!;
  if (!(mod in LAYERS)) problems.push(`src/${rel}: folder "${mod}" has no layer in scripts/check-structure.ts`);
  const text = readFileSync(file, 'utf8');
  const deps: string[] = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2]!;
    if (spec === 'mongoose' && mod !== 'store') problems.push(`src/${rel}: imports mongoose; only src/store/ may`);
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    const targetMod = relative(src, target).split('/')[0]!;
    if ((LAYERS[targetMod] ?? 0) > (LAYERS[mod] ?? 0)) {
      problems.push(`src/${rel}: ${mod}/ (layer ${LAYERS[mod]}) imports ${targetMod}/ (layer ${LAYERS[targetMod]}); import downward only`);
    }
    deps.push(target);
  }
  graph.set(file, deps);
}

// cycles (Tarjan's strongly connected components)
let index = 0;
const idx = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const on = new Set<string>();
function strong(v: string): void {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  on.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
  }
  if (low.get(v) === idx.get(v)) {
    const comp: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      on.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1) problems.push(`import cycle: ${comp.map((f) => relative(root, f)).join(' → ')}`);
  }
}
for (const v of graph.keys()) if (!idx.has(v)) strong(v);

if (problems.length > 0) {
  process.stderr.write(`structure check failed:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`structure check: ${graph.size} modules, no cycles, layers respected, mongoose only in src/store/\n`);
