import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../support/db.js';
import type { Store } from '../../src/store/connection.js';
import { listGroups, registerSeenGroups } from '../../src/store/groups-repo.js';

describe('the registry as listGroups reads it', () => {
  let store: Store & { drop(): Promise<void> };
  beforeAll(async () => {
    store = await openTestStore(import.meta.url);
  });
  afterAll(async () => store?.drop());

  it('should list groups in the order the database sorts their topics, without reading member samples', async () => {
    // ASCII, CJK, a character above U+FFFF (UTF-16 puts it before U+E000–U+FFFF, code points after) and a fullwidth one
    const topics = ['仓山区老年群', 'Alpha 群', '𠀀 群', '鼓楼区学生群', 'ＺＺ 群', '邻里互助1群', 'alpha 群', '仓山区老年群2'];
    const now = new Date('2026-12-01T10:00:00+08:00');
    await registerSeenGroups(store, topics.map((topic, i) => ({ roomId: `list${i}@chatroom`, topic, memberCount: 10 + i, botId: 'b1', sample: `k${i}a k${i}b` })), now, []);
    const dbOrder = (await store.models.Group.find({}, { topic: 1 }).sort({ topic: 1 }).lean()).map((d) => d.topic);
    const listed = await listGroups(store);
    expect(listed.map((g) => g.topic)).toEqual(dbOrder);
    expect(listed.map((g) => g.topic).indexOf('𠀀 群')).toBeGreaterThan(listed.map((g) => g.topic).indexOf('ＺＺ 群'));
    expect(listed.find((g) => g.roomId === 'list3@chatroom')).toMatchObject({ topic: '鼓楼区学生群', memberCount: 13, botIds: ['b1'], status: 'pending' });
    expect(listed.every((g) => !('memberSample' in g))).toBe(true);
    expect((await listGroups(store, { status: 'pending' })).map((g) => g.topic)).toEqual(dbOrder);
  });
});
