import { describe, expect, it } from 'vitest';
import { MemoryPayloadStore, PAYLOAD_CACHE_CAPACITY, keepPayloadsInMemory } from '../../../../src/channels/wechaty/memory-payload-store.js';

describe('MemoryPayloadStore', () => {
  it('should keep payloads from login to logout only, and start empty at the next login', async () => {
    const s = new MemoryPayloadStore();
    expect(s.room).toBeUndefined();
    await s.start('wxid_bot');
    await s.room!.set('r1', { topic: '旧群名' });
    expect(await s.room!.get('r1')).toEqual({ topic: '旧群名' });
    await s.room!.delete('r1');
    expect(await s.room!.get('r1')).toBeUndefined();
    await s.room!.set('r1', { topic: '旧群名' });
    await s.stop();
    expect(s.room).toBeUndefined();
    await s.start('wxid_bot');
    expect(await s.room!.get('r1')).toBeUndefined();
  });

  it('should let the oldest payload go when a cache is full, keeping one just written again', async () => {
    const s = new MemoryPayloadStore();
    await s.start('wxid_bot');
    const n = PAYLOAD_CACHE_CAPACITY.room;
    for (let i = 0; i < n; i++) await s.room!.set(`r${i}`, i);
    await s.room!.set('r0', 'again');
    await s.room!.set(`r${n}`, n);
    expect(await s.room!.get('r0')).toBe('again');
    expect(await s.room!.get('r1')).toBeUndefined();
    expect(await s.room!.get(`r${n}`)).toBe(n);
  });

  it('should keep rooms without their member ids, and hand them up without them (the members are asked for each time)', async () => {
    const s = new MemoryPayloadStore();
    await s.start('wxid_bot');
    const payload = { id: 'r1@chatroom', topic: '鼓楼区反诈群', memberIdList: ['wxid_a', 'wxid_b'], adminIdList: ['wxid_a'] };
    await s.room!.set('r1@chatroom', payload);
    expect(await s.room!.get('r1@chatroom')).toEqual({ id: 'r1@chatroom', topic: '鼓楼区反诈群', memberIdList: [], adminIdList: ['wxid_a'] });
    expect(payload.memberIdList).toEqual(['wxid_a', 'wxid_b']); // (the caller's object is not changed)
    await s.contact!.set('wxid_a', { id: 'wxid_a', name: '张三' });
    expect(await s.contact!.get('wxid_a')).toEqual({ id: 'wxid_a', name: '张三' });
    // the client's own fetch: what it hands up (to the puppet's LRU and Wechaty's Room) has no member ids either
    const client = { _payloadStore: { start: async () => undefined }, roomRawPayload: async function (this: unknown, id: string) {
      expect(this).toBe(client);
      return { id, topic: '群', memberIdList: ['wxid_a'] };
    } };
    keepPayloadsInMemory(client);
    expect(await client.roomRawPayload('r2@chatroom')).toEqual({ id: 'r2@chatroom', topic: '群', memberIdList: [] });
  });

  it('should replace a puppet service client\'s store and leave any other object alone', () => {
    const client = { _payloadStore: { start: async () => undefined } };
    keepPayloadsInMemory(client);
    expect(client._payloadStore).toBeInstanceOf(MemoryPayloadStore);
    const other = { _payloadStore: 'not a store' };
    keepPayloadsInMemory(other);
    expect(other._payloadStore).toBe('not a store');
  });
});
