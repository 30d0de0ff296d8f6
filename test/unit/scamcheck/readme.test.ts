import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../../../src/config/paths.js';
import { loadScamCheck } from '../../../src/scamcheck/desk.js';
import { renderScamAnswer } from '../../../src/scamcheck/answer.js';
import type { Segment } from '../../../src/shared/groups.js';

const { rules, judge } = loadScamCheck(paths.content);

/** The README's "Real answers" of the scam check: `<audience> — <text> (remark):` then the answer in a code block. */
function readmeAnswers(): { audience: string; text: string; answer: string }[] {
  const readme = readFileSync(join(paths.root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The scam check'), readme.indexOf('\n## ', readme.indexOf('## The scam check') + 1));
  const out: { audience: string; text: string; answer: string }[] = [];
  const re = /^(Elderly group|Students|Shoppers|General) — (.+?)(?: \([^()]*\))?:\n\n```\n([\s\S]*?)\n```/gmu;
  for (const m of section.matchAll(re)) out.push({ audience: m[1]!, text: m[2]!, answer: m[3]! });
  return out;
}

const SEGMENT: Record<string, Segment | undefined> = { 'Elderly group': 'elderly', Students: 'students', Shoppers: 'shoppers', General: undefined };

describe("the README's scam-check answers", () => {
  const answers = readmeAnswers();

  it('should show a real answer for each audience', () => {
    expect(answers.map((a) => a.audience)).toEqual(['Elderly group', 'Students', 'Shoppers', 'General']);
  });

  it.each(answers)('should be what the bot answers for $audience', ({ audience, text, answer }) => {
    expect(renderScamAnswer(judge.assess(text), rules, { segment: SEGMENT[audience] })).toBe(answer);
  });
});
