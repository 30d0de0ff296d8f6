import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger } from '../../../src/log/logger.js';

describe('createLogger', () => {
  it('should write to stderr, leaving stdout to what a command prints (a CSV report redirected to a file)', () => {
    const log = createLogger({ pretty: false, level: 'info' });
    expect((log as unknown as Record<symbol, { fd?: number }>)[pino.symbols.streamSym]?.fd).toBe(2);
  });

  it('should blank out tokens and raw member ids wherever they appear', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) as never });
    log.info({ token: 'insecure_secret', puppet: { token: 'x' }, member: { memberId: 'wxid_abc' }, inviterId: 'wxid_def' }, 'bot started');
    expect(lines.join('')).not.toMatch(/insecure_secret|wxid_abc|wxid_def/);
    expect(lines.join('')).toContain('[redacted]');
  });
});
