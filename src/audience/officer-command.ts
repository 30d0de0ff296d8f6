import type { ReferenceData } from '../config/reference.js';
import { closeMatches, findDistrict, findStation } from './district-match.js';
import { SEGMENT_LABEL, segmentOfWord, type Segment } from './segments.js';

/** Why a group's posts are skipped after an officer said `暂停` there. */
export const GROUP_PAUSED = 'group paused by an officer';

/** What an officer can tell a bot in a group. */
export type OfficerCommand =
  | { kind: 'register'; district: string; station?: string | undefined; segments: Segment[] }
  | { kind: 'confirm' }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'leave' }
  | { kind: 'help' };

/** A command, a reply explaining what was wrong with it, or `none` when the text is no command at all. */
export type CommandParse = { ok: true; command: OfficerCommand } | { ok: false; reply: string } | { none: true };

const VERBS: Record<string, OfficerCommand['kind']> = {
  登记: 'register',
  注册: 'register',
  确认: 'confirm',
  暂停: 'pause',
  恢复: 'resume',
  退出: 'leave',
  退群: 'leave',
  帮助: 'help',
};

/** Strip leading @mentions (WeChat puts "@name" + a narrow space before the text). */
export function stripMentions(text: string): string {
  return text.replace(/^(\s*@[^\s\u2005]+[\s\u2005]*)+/u, '').trim();
}

/**
 * Parse what follows the @-mention: `登记 仓山区 金山派出所 老年`, `暂停`, …
 * Pure: checks district, station and segments against the reference data
 * and, for a misspelling, answers with close matches.
 */
export function parseOfficerCommand(text: string, ref: ReferenceData): CommandParse {
  const words = stripMentions(text).split(/[\s\u2005\u3000,，、;；]+/u).filter(Boolean);
  const verb = words[0] ? VERBS[words[0]] : undefined;
  if (!verb) return { none: true };
  if (verb !== 'register') return { ok: true, command: { kind: verb } as OfficerCommand };
  return resolveRegistration(words.slice(1), ref);
}

/**
 * Check `区县 [派出所] 对象…` against the reference data (shared by the in-group
 * 登记 command and `zhimi groups tag`). Segments may be Chinese words or the
 * English names (elderly, students, shoppers, general).
 */
export function resolveRegistration(words: string[], ref: ReferenceData): { ok: true; command: Extract<OfficerCommand, { kind: 'register' }> } | { ok: false; reply: string } {
  const usage = '格式：登记 区县 派出所 对象，例如“登记 仓山区 金山派出所 老年”。对象可写：老年、学生、购物、综合。';
  if (words.length === 0) return { ok: false, reply: `请写上区县和对象。${usage}` };
  const [districtWord, ...rest] = words;
  const district = findDistrict(ref, districtWord!);
  if (!district) {
    const names = ref.districts.map((d) => d.name);
    const close = closeMatches(districtWord!, names);
    return {
      ok: false,
      reply: close.length
        ? `没有找到区县“${districtWord}”。您是不是要找：${close.join('、')}？`
        : `没有找到区县“${districtWord}”。可登记的区县：${names.join('、')}。`,
    };
  }
  let station: string | undefined;
  const segments: Segment[] = [];
  for (const w of rest) {
    const seg = segmentOfWord(w);
    if (seg) {
      if (!segments.includes(seg)) segments.push(seg);
      continue;
    }
    const st = findStation(district, w);
    if (st && !station) {
      station = st;
      continue;
    }
    const close = closeMatches(w.endsWith('派出所') ? w : `${w}派出所`, district.stations);
    if (w.endsWith('派出所') || close.length) {
      return {
        ok: false,
        reply: close.length
          ? `${district.name}没有“${w}”。您是不是要找：${close.join('、')}？`
          : `${district.name}没有“${w}”。该区县的派出所：${district.stations.join('、')}。`,
      };
    }
    return { ok: false, reply: `看不懂“${w}”。${usage}` };
  }
  if (segments.length === 0) {
    return { ok: false, reply: `请写上对象：${Object.values(SEGMENT_LABEL).join('、')}。${usage}` };
  }
  return { ok: true, command: { kind: 'register', district: district.name, station, segments } };
}
