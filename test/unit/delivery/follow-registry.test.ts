import { describe, expect, it } from 'vitest';
import { afterNotInGroup } from '../../../src/delivery/follow-registry.js';
import type { GroupRecord } from '../../../src/shared/groups.js';

const group = (o: Partial<GroupRecord> = {}): GroupRecord => ({ id: 'g1', roomId: 'r1@chatroom', topic: '仓山区老年群', segments: ['elderly'], tags: [], memberCount: 40, botIds: ['a', 'b'], status: 'active', ...o });
const post = { roomId: 'r1@chatroom', botId: 'a' };
const why = 'bot a: say: not a member of room r1@chatroom';

describe('afterNotInGroup', () => {
  it('should follow the room to its new id, with the same bot when it is still a member', () => {
    expect(afterNotInGroup(post, group({ roomId: 'r1r@chatroom' }), true, why)).toEqual({ kind: 'move', roomId: 'r1r@chatroom' });
  });

  it('should move the post to a bot still in the group when its own bot is not', () => {
    expect(afterNotInGroup(post, group({ botIds: ['b'] }), true, why)).toEqual({ kind: 'move', roomId: 'r1@chatroom', botId: 'b' });
    expect(afterNotInGroup(post, group({ botIds: ['b'], roomId: 'r9@chatroom' }), false, why)).toEqual({ kind: 'move', roomId: 'r9@chatroom', botId: 'b' });
  });

  it('should skip the post when no fleet bot is left in the group, or the group is unknown', () => {
    expect(afterNotInGroup(post, group({ status: 'left', botIds: [] }), true, why)).toEqual({ kind: 'skip', reason: 'bot removed from group' });
    expect(afterNotInGroup(post, undefined, true, why)).toEqual({ kind: 'skip', reason: why });
  });

  it('should skip when nothing changed although its online bot said no (again would repeat it), and keep it for a bot gone offline', () => {
    expect(afterNotInGroup(post, group(), true, why)).toEqual({ kind: 'skip', reason: why });
    expect(afterNotInGroup(post, group(), false, why)).toEqual({ kind: 'keep' });
  });
});
