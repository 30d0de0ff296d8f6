import { afterEach, describe, expect, it } from 'vitest';
import * as PUPPET from 'wechaty-puppet';
import { PuppetService } from 'wechaty-puppet-service';
import { routeWechatyLog } from '../../../../src/channels/wechaty/wechaty-log.js';
import { rememberSecret } from '../../../../src/log/secrets.js';
import { captureLogger } from '../../../support/log.js';

const TOKEN = 'insecure_5e1f0c2a9b7d4e3f8a6b';
const PRODUCTION = { ZHIMI_ENV: 'production', MONGODB_URI: 'mongodb://db/zhimi' };

describe("Wechaty's own log", () => {
  afterEach(() => {
    PUPPET.log.level('silent');
  });

  it('should go through Zhimi\'s logger with tokens and raw WeChat ids scrubbed (WECHATY_LOG=verbose in development)', () => {
    const logs = captureLogger('silent');
    expect(routeWechatyLog(PUPPET.log, { WECHATY_LOG: 'verbose' }, logs.log)).toBe('verbose');
    rememberSecret(TOKEN);
    // wechaty-puppet-service's client logs its options, token included, at verbose level as it is made
    new PuppetService({ endpoint: '127.0.0.1:1', token: TOKEN });
    PUPPET.log.verbose('Room', 'load(%s) member %s', '1234567890@chatroom', 'wxid_resident42');
    const text = logs.text();
    expect(logs.lines().find((l) => l.includes('PuppetSkeleton constructor'))).toMatch(/"module":"wechaty".*"wechaty":"[\d:]+ VERB PuppetSkeleton constructor\(.*\[token\]/);
    expect(text).toContain('load([id]) member [id]');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('wxid_resident42');
    expect(text).not.toContain('1234567890@chatroom');
  });

  it('should keep verbose off outside development and say why', () => {
    const logs = captureLogger('silent');
    expect(routeWechatyLog(PUPPET.log, { ...PRODUCTION, WECHATY_LOG: 'verbose' }, logs.log)).toBe('info');
    new PuppetService({ endpoint: '127.0.0.1:1', token: TOKEN });
    expect(logs.text()).not.toContain('PuppetSkeleton');
    expect(logs.text()).toMatch(/WECHATY_LOG: verbose prints bot tokens and members' raw WeChat ids: it is allowed only in development/);
  });

  it('should be silent unless WECHATY_LOG asks', () => {
    const logs = captureLogger('silent');
    expect(routeWechatyLog(PUPPET.log, {}, logs.log)).toBe('silent');
    PUPPET.log.error('Test', 'something');
    expect(logs.lines()).toEqual([]);
  });
});
