/**
 * bench/scamcheck: how many texts the scam check judges per second on one
 * core (Node runs the judge on one thread), with the quality figures of the
 * evaluation sets, plain and with what residents add (question endings,
 * the scammer's instructions, a quoted form, full-width, emoji). Writes
 * bench/results/scamcheck.json.
 *
 *   npm run bench:scamcheck            (BENCH_SECONDS=3 BENCH_RUNS=5 by default)
 *
 * eval.jsonl (its first 380 texts and development batch A), probes.jsonl,
 * batch-b.jsonl (batch B, written with batch A) and batch-d.jsonl are
 * development data: the rules were tuned on them and they are examples of
 * the wording model (content/scamcheck/examples.jsonl), so their figures here
 * are not a measure of anything (BENCHMARKS.md gives them out of fold).
 * unseen.jsonl, blind.jsonl and held-out.jsonl (batch C) are only measured
 * here, never used to tune anything. Speed is measured over eval.jsonl, and
 * over its first 380 texts, the set earlier runs measured.
 *
 *   npm run bench:scamcheck -- --calibrate
 *
 * prints instead the weights and thresholds of the score chosen by
 * cross-validation on the development batches B and D
 * (src/scamcheck/calibrate.ts), to put in content/scamcheck/rules.yaml.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../src/config/paths.js';
import { loadScamCheck } from '../src/scamcheck/desk.js';
import { evaluate, evaluateRobust, parseEvalFile, SCAMCHECK_BARS, type EvalCase } from '../src/scamcheck/eval.js';
import { renderScamAnswer } from '../src/scamcheck/answer.js';
import { calibrate, foldJudges, outOfFoldQuality } from '../src/scamcheck/calibrate.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);
const runs = Number(process.env['BENCH_RUNS'] ?? 5);
const { rules, judge } = loadScamCheck(paths.content);
const fixture = (name: string): string => join(paths.root, 'test', 'fixtures', 'scamcheck', name);
const casesOf = (name: string): EvalCase[] => parseEvalFile(readFileSync(fixture(name), 'utf8'), fixture(name), judge);
if (process.argv.includes('--calibrate')) {
  const textsOf = (name: string): string[] => casesOf(name).map((c) => c.text);
  console.log(JSON.stringify(calibrate(rules, [textsOf('batch-b.jsonl'), textsOf('batch-d.jsonl')]), null, 2));
  process.exit(0);
}
const cases = casesOf('eval.jsonl');
const texts = cases.map((c) => c.text);

// forwarded messages can be long: the same texts joined up to the 500 characters the bot judges at most
const longTexts = texts.map((_, i) => {
  let t = '';
  for (let j = i; [...t].length < 500; j++) t += texts[j % texts.length] + '\n';
  return [...t].slice(0, 500).join('');
});

/** Texts per second of wall-clock time, and per second of this process's CPU time (the same on an idle machine). */
function measure(ms: number, withAnswer: boolean, pool = texts): { wall: number; cpu: number } {
  let n = 0;
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) {
      const a = judge.assess(pool[n % pool.length]!);
      sink += withAnswer ? renderScamAnswer(a, rules).length : a.score;
      n++;
    }
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  if (sink === -1) console.log(sink);
  return { wall: n / (wallMs / 1000), cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r3 = (x: number): number => Number(x.toFixed(3));
measure(1000, true); // warm-up
const judged = Array.from({ length: runs }, () => measure(seconds * 1000, false));
const answered = Array.from({ length: runs }, () => measure(seconds * 1000, true));
const long = Array.from({ length: runs }, () => measure(seconds * 1000, false, longTexts));
const first380 = texts.slice(0, 380);
const short = Array.from({ length: runs }, () => measure(seconds * 1000, false, first380));

function quality(name: string): Record<string, number> {
  const c = name === 'eval.jsonl' ? cases : casesOf(name);
  const q = evaluate(c, judge);
  const rb = evaluateRobust(c, judge);
  return {
    size: q.size,
    recall: r3(q.recall),
    falseAlarmRate: r3(q.falseAlarmRate),
    typeAccuracy: r3(q.typeAccuracy),
    robustRecall: r3(rb.recall),
    robustFalseAlarmRate: r3(rb.falseAlarmRate),
    robustTypeAccuracy: r3(rb.typeAccuracy),
    robustVariants: rb.variants,
  };
}

const evalQ = quality('eval.jsonl');
const result = {
  textsPerSec: Math.round(median(judged.map((m) => m.wall))),
  textsPerCpuSec: Math.round(median(judged.map((m) => m.cpu))),
  textsPerSecWithAnswer: Math.round(median(answered.map((m) => m.wall))),
  textsPerSec500Chars: Math.round(median(long.map((m) => m.wall))),
  /** over the first 380 texts of eval.jsonl, the set earlier runs measured (mean 34 characters) */
  textsPerSecFirst380: Math.round(median(short.map((m) => m.wall))),
  recall: evalQ['recall']!,
  falseAlarmRate: evalQ['falseAlarmRate']!,
  typeAccuracy: evalQ['typeAccuracy']!,
  /** recall over the ending variants of eval.jsonl's fraud texts */
  robustRecall: evalQ['robustRecall']!,
  robustFalseAlarmRate: evalQ['robustFalseAlarmRate']!,
  robustTypeAccuracy: evalQ['robustTypeAccuracy']!,
  evalSize: evalQ['size']!,
  bars: SCAMCHECK_BARS,
  /** written by the engineer of the second pass to test each principle: tuned on */
  probes: quality('probes.jsonl'),
  /** development batches B and D (written by people who never saw the rules; examples of the wording model): tuned on */
  batchB: quality('batch-b.jsonl'),
  batchD: quality('batch-d.jsonl'),
  /** measured only, never used to tune anything */
  unseen: quality('unseen.jsonl'),
  ...(existsSync(fixture('blind.jsonl')) ? { blind: quality('blind.jsonl') } : {}),
  /** batch C: written independently, never read, measured once at the end of round 3 */
  ...(existsSync(fixture('held-out.jsonl')) ? { heldOut: quality('held-out.jsonl') } : {}),
  /**
   * The development sets as if the wording model had never seen them: each text (and its variants) judged by
   * the judge of 10-fold cross-validation trained without it. The rules were still tuned on them.
   */
  outOfFold: (() => {
    const judges = foldJudges(rules);
    const sets = { eval380: cases.slice(0, 380), batchA: cases.slice(380), probes: casesOf('probes.jsonl'), batchB: casesOf('batch-b.jsonl'), batchD: casesOf('batch-d.jsonl') };
    return Object.fromEntries(Object.entries(sets).map(([name, c]) => [name, outOfFoldQuality(c, rules, judge, judges)]));
  })(),
  runs,
  secondsPerRun: seconds,
  meanChars: Math.round(texts.reduce((a, t) => a + [...t].length, 0) / texts.length),
};
mkdirSync(join(paths.root, 'bench', 'results'), { recursive: true });
writeFileSync(join(paths.root, 'bench', 'results', 'scamcheck.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
