/**
 * bench/scamcheck: how many texts the scam check judges per second on one
 * core (Node runs the judge on one thread), with the quality figures of the
 * evaluation set. Writes bench/results/scamcheck.json.
 *
 *   npm run bench:scamcheck            (BENCH_SECONDS=3 BENCH_RUNS=5 by default)
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../src/config/paths.js';
import { loadScamCheck } from '../src/scamcheck/desk.js';
import { evaluate, parseEvalFile } from '../src/scamcheck/eval.js';
import { renderScamAnswer } from '../src/scamcheck/answer.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);
const runs = Number(process.env['BENCH_RUNS'] ?? 5);
const { rules, judge } = loadScamCheck(paths.content);
const evalFile = join(paths.root, 'test', 'fixtures', 'scamcheck', 'eval.jsonl');
const cases = parseEvalFile(readFileSync(evalFile, 'utf8'), evalFile, judge);
const texts = cases.map((c) => c.text);

// forwarded messages can be long: the same texts joined up to the 500 characters the bot judges at most
const longTexts = texts.map((_, i) => {
  let t = '';
  for (let j = i; [...t].length < 500; j++) t += texts[j % texts.length] + '\n';
  return [...t].slice(0, 500).join('');
});

function measure(ms: number, withAnswer: boolean, pool = texts): number {
  let n = 0;
  let sink = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) {
      const a = judge.assess(pool[n % pool.length]!);
      sink += withAnswer ? renderScamAnswer(a, rules).length : a.score;
      n++;
    }
  }
  if (sink === -1) console.log(sink);
  return n / (ms / 1000);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
measure(1000, true); // warm-up
const judged = Array.from({ length: runs }, () => measure(seconds * 1000, false));
const answered = Array.from({ length: runs }, () => measure(seconds * 1000, true));
const long = Array.from({ length: runs }, () => measure(seconds * 1000, false, longTexts));
const q = evaluate(cases, judge);
const result = {
  textsPerSec: Math.round(median(judged)),
  textsPerSecWithAnswer: Math.round(median(answered)),
  textsPerSec500Chars: Math.round(median(long)),
  recall: Number(q.recall.toFixed(3)),
  falseAlarmRate: Number(q.falseAlarmRate.toFixed(3)),
  typeAccuracy: Number(q.typeAccuracy.toFixed(3)),
  evalSize: q.size,
  runs,
  secondsPerRun: seconds,
  meanChars: Math.round(texts.reduce((a, t) => a + [...t].length, 0) / texts.length),
};
mkdirSync(join(paths.root, 'bench', 'results'), { recursive: true });
writeFileSync(join(paths.root, 'bench', 'results', 'scamcheck.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
