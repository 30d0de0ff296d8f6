import type { District, ReferenceData } from '../config/reference.js';

/** A district by full or short name (鼓楼区 or 鼓楼). */
export function findDistrict(ref: ReferenceData, word: string): District | undefined {
  return ref.districts.find((d) => d.name === word || d.short === word);
}

/** A station of a district by full or short name (金山派出所 or 金山). */
export function findStation(district: District, word: string): string | undefined {
  return district.stations.find((s) => s === word || s === `${word}派出所`);
}

/** Names close to a misspelled one (edit distance ≤ 1 per 2 characters), closest first. */
export function closeMatches(word: string, names: readonly string[], max = 3): string[] {
  const limit = Math.max(1, Math.floor(word.length / 2));
  return names
    .map((name) => ({ name, d: editDistance(word, name) }))
    .filter((x) => x.d <= limit || x.name.includes(word) || word.includes(x.name))
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((x) => x.name);
}

/** Levenshtein distance over characters (CJK-safe). */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]!;
}
