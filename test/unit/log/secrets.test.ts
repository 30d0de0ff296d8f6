import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { rememberSecret, scrubSecrets } from '../../../src/log/secrets.js';
import { createLogger } from '../../../src/log/logger.js';

describe('scrubSecrets', () => {
  it('should blank out a token this process uses, whatever it looks like', () => {
    rememberSecret('My-Puppet-Token.7');
    expect(scrubSecrets('16 UNAUTHENTICATED: refused My-Puppet-Token.7 twice: My-Puppet-Token.7')).toBe('16 UNAUTHENTICATED: refused [token] twice: [token]');
  });

  it('should blank out a quoted token and anything shaped like a puppet-service token it was not told about', () => {
    expect(scrubSecrets('Invalid Wechaty TOKEN "puppet_other_value"')).toBe('Invalid Wechaty TOKEN "[token]"');
    expect(scrubSecrets('token=\'abc-def\' at 127.0.0.1')).toBe("token='[token]' at 127.0.0.1");
    expect(scrubSecrets('insecure_0123456789abcdef0123 refused')).toBe('[token] refused');
  });

  it('should leave ordinary words and very short values alone', () => {
    rememberSecret('abc');
    expect(scrubSecrets('abc of the bot: the token was refused')).toBe('abc of the bot: the token was refused');
  });

  it('should scrub error fields of every log line, whoever logs them', () => {
    rememberSecret('Another-Token-99');
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) as never });
    log.warn({ err: 'refused Another-Token-99', reason: 'Another-Token-99', why: 'x Another-Token-99' }, 'bot error');
    expect(lines.join('')).not.toContain('Another-Token-99');
    expect(lines.join('')).toContain('[token]');
  });
});
