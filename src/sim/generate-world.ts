import type { ReferenceData } from '../config/reference.js';
import { pick, seededRandom, type Random } from './random.js';
import type { SimBot, SimContact, SimRoom, SimSegment } from './world-model.js';
import { residentId } from './sim-contacts.js';

/** Options of {@link generateWorld}. */
export interface WorldOptions {
  groups: number;
  /** Mean members per group (each group varies ±40 %, WeChat caps a group at 500). */
  membersPerGroup: number;
  bots: { botId: string; name: string }[];
  /** Officers (id + district) who are members of the groups of their district. */
  officers?: { id: string; name: string; district?: string }[];
  /** Districts to spread groups over. @defaultValue all of the reference data */
  districts?: string[];
  /** Share of groups with a second fleet bot in them. @defaultValue 0.3 */
  secondBotShare?: number;
  /** Pool size as a share of all memberships, so some residents sit in several groups. @defaultValue 0.85 */
  memberPoolShare?: number;
  /** Bots are already members of their groups (true), or wait to be invited by an officer (false). @defaultValue true */
  botsJoined?: boolean;
  seed?: number;
}

export interface GeneratedWorld {
  /** Bots and officers. */
  contacts: SimContact[];
  /** The residents' names: resident `i` has the id `residentId(i)` (SimContacts). */
  residents: string[];
  rooms: SimRoom[];
  bots: SimBot[];
}

const SEGMENTS: SimSegment[] = ['elderly', 'students', 'shoppers', 'general'];
const SURNAMES = ['陈', '林', '黄', '张', '李', '王', '吴', '刘', '蔡', '杨', '郑', '许', '谢', '郭', '洪', '邱', '曾', '廖', '赖', '周'];
const GIVEN = ['建华', '秀英', '丽娟', '志强', '美玲', '国平', '文斌', '晓燕', '宇航', '思琪', '子涵', '俊杰', '雅婷', '海峰', '春梅', '金花', '伟', '芳', '磊', '静'];
const ELDER_SUFFIX = ['阿姨', '伯', '奶奶', '爷爷', '大姐', '师傅'];

/**
 * Build a world of community groups named like real police-community groups
 * across Fuzhou districts and all four segments. Deterministic for a seed.
 */
export function generateWorld(ref: ReferenceData, o: WorldOptions): GeneratedWorld {
  const rng = seededRandom(o.seed ?? 2026);
  const districts = (o.districts ?? ref.districts.map((d) => d.name)).map((name) => {
    const d = ref.districts.find((x) => x.name === name);
    if (!d) throw new Error(`unknown district ${name}`);
    return d;
  });
  const bots: SimBot[] = o.bots.map((b) => ({ botId: b.botId, name: b.name, contactId: `wxid_bot_${b.botId}` }));
  const contacts: SimContact[] = [
    ...bots.map((b) => ({ id: b.contactId, name: b.name, kind: 'bot' as const })),
    ...(o.officers ?? []).map((x) => ({ id: x.id, name: x.name, kind: 'officer' as const })),
  ];
  const sizes = Array.from({ length: o.groups }, () =>
    Math.max(3, Math.min(500, Math.round(o.membersPerGroup * (0.6 + 0.8 * rng())))),
  );
  const poolSize = Math.max(3, Math.round(sizes.reduce((a, b) => a + b, 0) * (o.memberPoolShare ?? 0.85)));
  // a resident is its name (one string for each distinct name) and its id (held by its rooms)
  const names = new Map<string, string>();
  const residents = Array.from({ length: poolSize }, () => {
    const name = memberName(rng);
    const known = names.get(name);
    if (known !== undefined) return known;
    names.set(name, name);
    return name;
  });
  const pool = Array.from({ length: poolSize }, (_, i) => residentId(i));

  const topics = new Set<string>();
  const rooms: SimRoom[] = [];
  for (let i = 0; i < o.groups; i++) {
    const segment = SEGMENTS[i % SEGMENTS.length]!;
    const district = districts[Math.floor(i / SEGMENTS.length) % districts.length]!;
    const station = pick(rng, district.stations);
    const topic = uniqueTopic(topics, roomTopic(ref, rng, segment, district.name, district.streets, station));
    const size = sizes[i]!;
    const members = new Set<string>();
    const start = Math.floor(rng() * pool.length);
    for (let k = 0; members.size < Math.min(size, pool.length); k++) {
      // mostly a contiguous slice of the pool (neighbours share groups), some random picks
      const idx = rng() < 0.8 ? (start + k) % pool.length : Math.floor(rng() * pool.length);
      members.add(pool[idx]!);
    }
    const botIdx = i % bots.length;
    const roomBots = [bots[botIdx]!];
    if (bots.length > 1 && rng() < (o.secondBotShare ?? 0.3)) roomBots.push(bots[(botIdx + 1) % bots.length]!);
    const officers = (o.officers ?? []).filter((x) => !x.district || x.district === district.name).map((x) => x.id);
    const memberIds = [...members];
    rooms.push({
      id: `${(100000 + i).toString()}${Math.floor(rng() * 1e6)}@chatroom`,
      topic,
      memberIds: [...memberIds, ...officers, ...((o.botsJoined ?? true) ? roomBots.map((b) => b.contactId) : [])],
      ownerId: officers[0] ?? memberIds[0] ?? roomBots[0]!.contactId,
      truth: { district: district.name, station, segment, botIds: roomBots.map((b) => b.botId) },
    });
  }
  return { contacts, residents, rooms, bots };
}

function roomTopic(ref: ReferenceData, rng: Random, segment: SimSegment, district: string, streets: string[], station: string): string {
  const street = pick(rng, streets);
  switch (segment) {
    case 'elderly':
      return pick(rng, [`${district}${street}老年反诈群`, `${street}长者防骗交流群`, `${street}银发平安群`]);
    case 'students': {
      const uni = pick(rng, ref.universities).name;
      const year = 2022 + Math.floor(rng() * 4);
      return pick(rng, [`${uni}${year}级反诈群`, `${uni}新生防骗群`, `${uni}${year}级宿舍平安群`]);
    }
    case 'shoppers': {
      const mall = pick(rng, ref.malls).name;
      return pick(rng, [`${mall}商户群`, `${street}社区团购群`, `${street}拼单群`]);
    }
    case 'general':
      return pick(rng, [`${street}平安社区群`, `${street}居民反诈群`, `${station.replace('派出所', '')}警民联系群`]);
  }
}

function uniqueTopic(seen: Set<string>, topic: string): string {
  let t = topic;
  for (let n = 2; seen.has(t); n++) t = `${topic}${n}`;
  seen.add(t);
  return t;
}

function memberName(rng: Random): string {
  const surname = pick(rng, SURNAMES);
  const r = rng();
  if (r < 0.3) return surname + pick(rng, ELDER_SUFFIX);
  if (r < 0.8) return surname + pick(rng, GIVEN);
  return pick(rng, ['阳光', '小草', '花开富贵', '平安是福', '海阔天空', '静待花开', '向日葵', '老顽童']) + Math.floor(rng() * 100);
}
