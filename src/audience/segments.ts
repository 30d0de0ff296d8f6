import type { Segment } from '../shared/groups.js';

export { SEGMENTS, type Segment } from '../shared/groups.js';

/** Chinese words officers use for each audience segment. */
export const SEGMENT_WORDS: Record<Segment, readonly string[]> = {
  elderly: ['老年', '老人', '老年人', '长者', '银发'],
  students: ['学生', '大学生', '高校', '校园'],
  shoppers: ['购物', '商户', '商家', '团购', '网购', '拼单'],
  general: ['综合', '居民', '社区', '群众', '普通', '一般'],
};

export const SEGMENT_LABEL: Record<Segment, string> = { elderly: '老年', students: '学生', shoppers: '购物', general: '综合' };

export function segmentOfWord(word: string): Segment | undefined {
  const w = word.trim().toLowerCase();
  for (const [seg, words] of Object.entries(SEGMENT_WORDS) as [Segment, readonly string[]][]) {
    if (seg === w || words.includes(w)) return seg;
  }
  return undefined;
}
