import { describe, expect, it } from 'vitest';
import { toSeenGroup, MEMBER_SAMPLE_SIZE } from '../../../src/audience/group-sync.js';
import { sampleKeys } from '../../../src/shared/groups.js';
import { createMemberKeyer, memberKey } from '../../../src/audience/member-key.js';

const keyer = createMemberKeyer('s'.repeat(32));

describe('toSeenGroup', () => {
  it('should count members without fleet bots and keep no raw id', () => {
    // what the channel hands over: the bot left out, every resident keyed
    const ids = Array.from({ length: 100 }, (_, i) => `wxid_m${i}`);
    const seen = toSeenGroup({ roomId: 'r@chatroom', topic: '测试群', memberKeys: ids.map(keyer) }, 'a');
    expect(seen.memberCount).toBe(100);
    expect(sampleKeys(seen.sample)).toHaveLength(MEMBER_SAMPLE_SIZE);
    expect(JSON.stringify(seen)).not.toMatch(/wxid_m/);
  });

  it('should keep the same sample whatever the member order', () => {
    const ids = Array.from({ length: 80 }, (_, i) => `wxid_m${i}`);
    const a = toSeenGroup({ roomId: 'r', topic: 't', memberKeys: ids.map(keyer) }, 'a');
    const b = toSeenGroup({ roomId: 'r', topic: 't', memberKeys: [...ids].reverse().map(keyer) }, 'a');
    expect(a.sample).toEqual(b.sample);
  });
});

describe('memberKey', () => {
  it('should be stable for one secret and differ across secrets', () => {
    expect(memberKey('x'.repeat(32), 'wxid_1')).toBe(memberKey('x'.repeat(32), 'wxid_1'));
    expect(memberKey('x'.repeat(32), 'wxid_1')).not.toBe(memberKey('y'.repeat(32), 'wxid_1'));
  });
});
