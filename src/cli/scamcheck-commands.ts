import type { Command } from 'commander';
import type { AppContext } from '../app/context.js';
import { checkText, evaluateFile } from '../app/scamcheck.js';
import { SCAMCHECK_BARS, type EvalReport } from '../scamcheck/eval.js';
import { RISK_LABEL } from '../scamcheck/judge.js';
import { formatRows } from '../reports/format.js';
import type { Segment } from '../shared/groups.js';
import { EXIT } from './exit-codes.js';

export function registerScamCheckCommands(program: Command, ctx: () => AppContext): void {
  const cmd = program.command('scamcheck').description('the scam check members ask the bot for');
  cmd
    .command('eval <file>')
    .description('judge a labelled JSONL file ({"text", "label": "fraud"|"normal", "type"} a line); print precision, recall, false alarms, type accuracy and a confusion table')
    .option('--json', 'print the figures as JSON')
    .option('--errors', 'list the misses, false alarms and wrong types')
    .option('--check', `exit ${EXIT.findings} unless recall ≥ ${SCAMCHECK_BARS.recall}, false alarms ≤ ${SCAMCHECK_BARS.falseAlarmRate} and type accuracy ≥ ${SCAMCHECK_BARS.typeAccuracy}`)
    .action((file: string, o: { json?: boolean; errors?: boolean; check?: boolean }) => {
      const { report: r, unknownTypes, typeNames } = evaluateFile(ctx(), file);
      if (unknownTypes.length) {
        process.stderr.write(`${file}: type labels that name no known type (left out of type accuracy): ${unknownTypes.join(', ')}; known: ${Object.values(typeNames).join(', ')}\n`);
      }
      if (o.json) {
        const { misses, falseAlarms, wrongType, ...figures } = r;
        process.stdout.write(JSON.stringify(o.errors ? r : { ...figures, errors: misses.length + falseAlarms.length + wrongType.length }, null, 2) + '\n');
      } else {
        process.stdout.write(describeEval(r, typeNames, !!o.errors) + '\n');
      }
      if (o.check && !(r.recall >= SCAMCHECK_BARS.recall && r.falseAlarmRate <= SCAMCHECK_BARS.falseAlarmRate && r.typeAccuracy >= SCAMCHECK_BARS.typeAccuracy)) {
        process.exitCode = EXIT.findings;
      }
    });
  cmd
    .command('text <text...>')
    .description('judge one text and print the answer the bot would give')
    .option('--segment <s>', 'audience wording: elderly | students | shoppers | general')
    .action((words: string[], o: { segment?: Segment }) => {
      const { answer, assessment: a } = checkText(ctx(), words.join(' '), o.segment);
      process.stdout.write(answer + '\n\n');
      process.stdout.write(`score ${a.score} → ${RISK_LABEL[a.risk]}; type ${a.type}; ${a.signals.map((s) => `${s.label}(${s.phrase})${s.risk ? ` +${s.risk}` : ''}`).join(', ') || 'no signals'}` +
        `${a.combos.length ? `; combos: ${a.combos.join(', ')}` : ''}${a.lowered ? `; lowered ×${a.lowered.factor}: ${a.lowered.label}(${a.lowered.phrase})` : ''}\n`);
    });
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function describeEval(r: EvalReport, names: Record<string, string>, errors: boolean): string {
  const out = [
    `texts ${r.size} (fraud ${r.fraud}, normal ${r.normal}); fraud = risk 高 or 中`,
    `precision      ${r.precision.toFixed(3)}  (${r.truePositives} of ${r.truePositives + r.falsePositives} flagged are fraud)`,
    `recall         ${r.recall.toFixed(3)}  (${r.truePositives} of ${r.fraud} fraud texts flagged)`,
    `false alarms   ${r.falseAlarmRate.toFixed(3)}  (${r.falsePositives} of ${r.normal} normal texts flagged)`,
    `type accuracy  ${r.typeAccuracy.toFixed(3)}  (of ${r.typed} fraud texts with a type)`,
    '',
    'confusion (rows: labelled type, columns: most likely type, only types that occur):',
  ];
  const predicted = [...new Set(Object.values(r.confusion).flatMap((row) => Object.keys(row)))];
  const rows = Object.entries(r.confusion).map(([actual, row]) => {
    const total = Object.values(row).reduce((a, b) => a + b, 0);
    return { type: names[actual] ?? actual, n: total, right: pct((row[actual] ?? 0) / total), ...Object.fromEntries(predicted.map((p) => [p, row[p] ?? 0])) };
  });
  out.push(formatRows(rows, 'table', ['type', 'n', 'right', ...predicted]));
  if (errors) {
    for (const m of r.misses) out.push(`miss        line ${m.line} (score ${m.score}): ${m.text}`);
    for (const f of r.falseAlarms) out.push(`false alarm line ${f.line} (score ${f.score}, ${f.type}): ${f.text}`);
    for (const w of r.wrongType) out.push(`wrong type  line ${w.line} (${w.expected} → ${w.got}): ${w.text}`);
  }
  return out.join('\n');
}
