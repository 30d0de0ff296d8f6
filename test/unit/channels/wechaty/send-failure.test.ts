import { describe, expect, it } from 'vitest';
import { sendCallFailure, toSendFailure } from '../../../../src/channels/wechaty/classify.js';
import { PuppetError } from '../../../../src/channels/wechaty/errors.js';

const sendError = (message: string): PuppetError => new PuppetError('near', 'say', message);

describe('what a failed send means for its post', () => {
  it('should take a send whose connection dropped under it as maybe posted (never resent), and name why', () => {
    for (const message of ['14 UNAVAILABLE: Connection dropped', 'read ECONNRESET']) {
      const f = sendCallFailure(sendError(message), false);
      expect(f.kind).toBe('maybe-posted');
      expect(f.message).toContain('the connection to its puppet service dropped during the send');
    }
  });

  it('should take a send that never reached the service as not a failure of the post (the bot is offline: it waits or moves)', () => {
    for (const message of ['14 UNAVAILABLE: No connection established', '14 UNAVAILABLE: No connection established. Last error: read ECONNRESET', 'connect ECONNREFUSED 127.0.0.1:1']) {
      expect(sendCallFailure(sendError(message), false).kind).toBe('logged-out');
    }
  });

  it('should classify every other send failure as any call\'s', () => {
    expect(sendCallFailure(sendError('DEADLINE_EXCEEDED'), true).kind).toBe('maybe-posted');
    expect(sendCallFailure(sendError('发送消息过于频繁'), true).kind).toBe('throttled');
    expect(sendCallFailure(sendError('something else'), true)).toMatchObject(toSendFailure(sendError('something else'), true));
  });
});
