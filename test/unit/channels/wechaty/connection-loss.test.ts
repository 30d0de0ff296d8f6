import { describe, expect, it } from 'vitest';
import { isConnectionLoss } from '../../../../src/channels/wechaty/errors.js';

describe('is it the puppet service connection that failed', () => {
  it('should know gRPC\'s signs of a service gone or refused', () => {
    expect(isConnectionLoss(new Error('14 UNAVAILABLE: Connection dropped'))).toBe(true);
    expect(isConnectionLoss(new Error('14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:8788'))).toBe(true);
    expect(isConnectionLoss(new Error('read ECONNRESET'))).toBe(true);
    expect(isConnectionLoss(new Error('no grpc manager'))).toBe(true);
  });

  it('should not take the account\'s or the post\'s troubles for a lost connection', () => {
    expect(isConnectionLoss(new Error('发送消息过于频繁'))).toBe(false);
    expect(isConnectionLoss(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'))).toBe(false);
    expect(isConnectionLoss(new Error('bot near: say: not a member of room r1@chatroom'))).toBe(false);
    expect(isConnectionLoss(new Error('16 UNAUTHENTICATED: token invalid'))).toBe(false);
  });
});
