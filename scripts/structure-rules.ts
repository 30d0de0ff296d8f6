/**
 * The house rules of src/, checked on the text of each file (imports and
 * exports), so `npm test` fails when the plan in ARCHITECTURE.md is broken.
 * Pure: takes the files as a map of path (relative to src/) → text.
 */
import { posix } from 'node:path';

/**
 * The steps in the order data flows through them; a folder may import its
 * own step and the ones before it, never one after it. Shared constants,
 * configuration and the logger come first, then the store that persists
 * everything; the faces (API, CLI, demo) come last.
 */
export const LAYERS: Record<string, number> = {
  shared: 0, config: 0, log: 0,
  store: 1,
  content: 2,
  audience: 3,
  campaigns: 4,
  outbox: 5,
  delivery: 6,
  channels: 7,
  fleet: 8,
  engagement: 9, scamcheck: 9,
  reports: 10,
  app: 11,
  // the processes: the worker, the HTTP API, the CLI, the demo
  worker: 12, api: 12, cli: 12, demo: 12,
  // the simulator stands apart: see SIM_MAY_IMPORT
  sim: 12,
};

/**
 * What the simulator may import of Zhimi: only what a WeChat peer would know
 * (shared helpers, configuration and reference data, the logger) and the
 * wechaty-puppet workaround both ends of a puppet connection need.
 */
export const SIM_MAY_IMPORT = ['shared/', 'config/', 'log/', 'sim/', 'channels/wechaty/puppet-restart.ts'];

/**
 * Pure modules: decisions over plain data with an injected clock (planning,
 * targeting, limits, attribution, scam rules, permissions). They import no
 * mongoose, no channel library, no node I/O, and at run time only other pure
 * modules (type-only imports are erased and may name anything).
 */
export const PURE = [
  'shared/groups.ts', 'shared/outbox-records.ts', 'shared/counters.ts', 'shared/delivery-id.ts', 'shared/link-code.ts', 'shared/fill-template.ts', 'shared/permissions.ts', 'shared/signing.ts', 'shared/approval-seal.ts', 'shared/audit-chain.ts', 'shared/totp.ts',
  'config/clock.ts', 'config/errors.ts', 'config/json-lines.ts',
  'content/render.ts',
  'audience/district-match.ts', 'audience/officer-command.ts', 'audience/quiet-hours.ts', 'audience/segments.ts', 'audience/select-groups.ts',
  'audience/tag-suggestion.ts', 'audience/group-sync.ts', 'audience/member-key.ts',
  'campaigns/assign-bots.ts', 'campaigns/catch-up.ts', 'campaigns/cron.ts', 'campaigns/lifecycle.ts', 'campaigns/next-due.ts',
  'campaigns/plan-targets.ts', 'campaigns/resolve-posts.ts', 'campaigns/validate-campaign.ts',
  'outbox/delivery-state.ts', 'outbox/events.ts', 'outbox/failover.ts', 'outbox/send-times.ts', 'outbox/caps-history.ts',
  'delivery/post-verdict.ts', 'delivery/retry-policy.ts', 'delivery/send-window.ts', 'delivery/follow-registry.ts',
  'fleet/bot-share.ts', 'fleet/send-pacer.ts', 'fleet/inbound-filter.ts',
  'engagement/attribute.ts', 'engagement/reach-sketch.ts',
  'scamcheck/judge.ts', 'scamcheck/text-bayes.ts', 'scamcheck/answer.ts', 'scamcheck/request.ts', 'scamcheck/quota.ts', 'scamcheck/mask.ts', 'scamcheck/eval.ts',
  'reports/tabulate.ts', 'reports/format.ts',
  'app/bot-note.ts',
];

/** Node modules that do I/O: a pure module imports none of them. */
const NODE_IO = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads|readline|os|process|stream|zlib)$/;
const WECHATY = /^wechaty(-puppet(-[a-z]+)?)?$/;

export interface ImportRef {
  spec: string;
  typeOnly: boolean;
}

const IMPORT_RE = /(import|export)(\s+type)?\s+(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The modules a file imports (static, re-exports and literal dynamic imports). */
export function importsOf(text: string): ImportRef[] {
  const out: ImportRef[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[3] ?? m[4];
    if (spec) out.push({ spec, typeOnly: Boolean(m[2]) });
  }
  return out;
}

const folderOf = (rel: string): string => rel.split('/')[0]!;

/** Every broken rule, one line each (`src/<file>: …`); empty when the house is in order. */
export function checkStructure(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const [rel, text] of files) {
    const mod = folderOf(rel);
    const at = `src/${rel}`;
    if (!(mod in LAYERS) && rel.includes('/')) problems.push(`${at}: folder "${mod}" has no layer in scripts/structure-rules.ts`);
    const pure = PURE.includes(rel);
    const deps: string[] = [];
    for (const { spec, typeOnly } of importsOf(text)) {
      if (!spec.startsWith('.')) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (pkg === 'mongoose' && mod !== 'store' && !typeOnly) problems.push(`${at}: imports mongoose; only src/store/ may`);
        if (WECHATY.test(pkg) && !rel.startsWith('channels/wechaty/') && mod !== 'sim' && !typeOnly) problems.push(`${at}: imports ${pkg}; only src/channels/wechaty/ (and the simulator) may`);
        if (pure && !typeOnly && (pkg === 'mongoose' || WECHATY.test(pkg) || NODE_IO.test(spec))) problems.push(`${at}: a pure module imports ${spec} (no mongoose, channel library or node I/O)`);
        continue;
      }
      const target = posix.normalize(posix.join(posix.dirname(rel), spec.replace(/\.js$/, '.ts')));
      const targetMod = folderOf(target);
      deps.push(target);
      if ((mod === 'cli' || mod === 'api') && targetMod === 'store') problems.push(`${at}: the ${mod === 'cli' ? 'CLI' : 'HTTP API'} imports ${target}; faces go through src/app/`);
      if (mod === 'content' && targetMod === 'store') problems.push(`${at}: content imports ${target}; content knows no store`);
      if ((mod === 'audience' || mod === 'reports') && (targetMod === 'channels' || targetMod === 'fleet')) problems.push(`${at}: ${mod} imports ${target}; it knows no channel or fleet`);
      if ((mod === 'fleet' || mod === 'channels') && targetMod === 'campaigns') problems.push(`${at}: ${mod} imports ${target}; bots and channels know no campaigns`);
      if (mod === 'sim' && !SIM_MAY_IMPORT.some((p) => target === p || target.startsWith(p))) {
        problems.push(`${at}: the simulator imports ${target}; it knows only what a WeChat peer would (${SIM_MAY_IMPORT.join(', ')})`);
      } else if (mod !== 'sim' && (LAYERS[targetMod] ?? 0) > (LAYERS[mod] ?? 0)) {
        problems.push(`${at}: ${mod}/ imports ${target}, a later step (${targetMod}/); import earlier steps only`);
      }
      if (pure && !typeOnly && !PURE.includes(target)) problems.push(`${at}: a pure module imports ${target}, which is not pure`);
    }
    graph.set(rel, deps);
  }
  for (const cycle of cycles(graph)) problems.push(`import cycle: ${cycle.map((f) => `src/${f}`).join(' → ')}`);
  return problems;
}

/** Strongly connected components of more than one file (Tarjan). */
function cycles(graph: ReadonlyMap<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
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
      if (comp.length > 1) out.push(comp);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}
