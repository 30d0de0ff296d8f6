import type { ReferenceData } from '../config/reference.js';
import type { TaggingRules } from '../config/content-texts.js';
import type { Segment } from './segments.js';

export interface TagSuggestion {
  district?: string | undefined;
  segments: Segment[];
}

/**
 * Suggest district and segments from a group's name with the reviewed rules
 * (content/audience/tagging-rules.yaml) and the place names of the reference
 * data. Only a suggestion: it is applied when an officer confirms it.
 */
export function suggestTags(topic: string, rules: TaggingRules, ref: ReferenceData): TagSuggestion {
  const segments = (Object.entries(rules.segments) as [Segment, string[]][])
    .filter(([, words]) => words.some((w) => topic.includes(w)))
    .map(([seg]) => seg);
  let district = ref.districts.find((d) => topic.includes(d.name) || topic.includes(d.short) || d.streets.some((s) => topic.includes(s)))?.name;
  const place = [...ref.universities, ...ref.malls].find((p) => topic.includes(p.name));
  if (!district && place) district = place.district;
  if (ref.universities.some((u) => topic.includes(u.name)) && !segments.includes('students')) segments.unshift('students');
  // a name that matched several segments keeps the most specific one first; "general" only when nothing else
  const specific = segments.filter((s) => s !== 'general');
  return { district, segments: specific.length ? specific.slice(0, 1) : segments.slice(0, 1) };
}
