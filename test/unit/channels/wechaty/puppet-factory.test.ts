import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPuppetFactory, insecureConnection, MESSAGE_CACHE } from '../../../../src/channels/wechaty/puppet-factory.js';
import { testBot } from '../../../support/sim.js';

const PRODUCTION = { ZHIMI_ENV: 'production', MONGODB_URI: 'mongodb://db/zhimi' };
const TOKEN_ENV = 'ZHIMI_BOT_P01_TOKEN';

describe('the puppet factory', () => {
  it('should never import a puppet that is not on the allow-list: a data: URL is refused with file and field', async () => {
    const bot = testBot('p-01', { puppet: { name: 'data:text/javascript,globalThis.zhimiPwned = 1; export default class {}' } });
    await expect(defaultPuppetFactory({})(bot)).rejects.toThrow(/^bots\/p-01\.yaml: puppet\.name: puppet "data:text\/javascript,.*" is not allowed: one of wechaty-puppet-service, wechaty-puppet-mock/);
    expect((globalThis as { zhimiPwned?: number }).zhimiPwned).toBeUndefined();
    await expect(defaultPuppetFactory({})(testBot('p-01', { puppet: { name: '/tmp/evil.js' } }))).rejects.toThrow(/puppet\.name: puppet "\/tmp\/evil\.js" is not allowed/);
  });

  it('should load a package listed in ZHIMI_ALLOWED_PUPPETS', async () => {
    const puppet = await defaultPuppetFactory({ ZHIMI_ALLOWED_PUPPETS: 'wechaty-puppet' })(testBot('p-01', { puppet: { name: 'wechaty-puppet' } })).catch((err: Error) => err);
    // wechaty-puppet is installed but its export is abstract: what matters is that it was not refused
    expect(String(puppet)).not.toMatch(/is not allowed/);
  });

  it('should refuse an insecure_ token outside development unless the bot says tls: insecure', async () => {
    const bot = testBot('p-01');
    const env = { ...PRODUCTION, [TOKEN_ENV]: 'insecure_0123456789abcdef0123' };
    expect(insecureConnection(bot, env)?.message).toMatch(/^is required outside development: the token in ZHIMI_BOT_P01_TOKEN is an insecure_ token \(the puppet service's key for it is published\)\. Give tls: \{ caFile/);
    await expect(defaultPuppetFactory(env)(bot)).rejects.toThrow(/bots\/p-01\.yaml: puppet\.tls: is required outside development/);
    await expect(defaultPuppetFactory(env)(bot)).rejects.not.toThrow(/0123456789abcdef/);
    expect(insecureConnection(testBot('p-01', { puppet: { ...bot.puppet, tls: 'insecure' } }), env)).toBeUndefined();
    // the simulator's tokens in development
    expect(insecureConnection(bot, { [TOKEN_ENV]: 'insecure_0123456789abcdef0123' })).toBeUndefined();
  });

  it('should refuse, outside development, a connection that trusts the CA bundled with the library', () => {
    const env = { ...PRODUCTION, [TOKEN_ENV]: 'puppet_paimon_0123456789abcdef' };
    expect(insecureConnection(testBot('p-01'), env)?.message).toMatch(/the connection would trust the CA bundled with wechaty-puppet-service/);
    expect(insecureConnection(testBot('p-01'), { ...env, WECHATY_PUPPET_SERVICE_TLS_CA_CERT: 'pem', WECHATY_PUPPET_SERVICE_TLS_SERVER_NAME: 'puppet.example.gov.cn' })).toBeUndefined();
    expect(insecureConnection(testBot('p-01', { puppet: { ...testBot('p-01').puppet, tls: 'insecure' } }), { ...env, WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true' })).toBeUndefined();
    expect(insecureConnection(testBot('p-01', { puppet: { ...testBot('p-01').puppet, tls: { caFile: 'ca.pem', serverName: 'x' } } }), { ...env, WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true' })?.message).toMatch(/turns TLS off/);
  });

  it('should give the puppet service the CA file and server name of the bot\'s YAML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhimi-ca-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nOURS\n-----END CERTIFICATE-----\n');
    const bot = { ...testBot('p-01', { puppet: { ...testBot('p-01').puppet, tls: { caFile: 'ca.pem', serverName: 'puppet.example.gov.cn' } } }), file: join(dir, 'p-01.yaml') };
    const client = (await defaultPuppetFactory({ ...PRODUCTION, [TOKEN_ENV]: 'insecure_0123456789abcdef0123' })(bot)) as unknown as { options: { tls?: { caCert?: string; serverName?: string } } };
    expect(client.options.tls).toEqual({ caCert: expect.stringContaining('OURS'), serverName: 'puppet.example.gov.cn' });
    const missing = { ...bot, puppet: { ...bot.puppet, tls: { caFile: 'nope.pem', serverName: 'x' } } };
    await expect(defaultPuppetFactory({ ...PRODUCTION, [TOKEN_ENV]: 'puppet_x_0123456789abcdef' })(missing)).rejects.toThrow(/puppet\.tls\.caFile: cannot read .*nope\.pem/);
  });

  it('should keep the payloads of a bot\'s last few messages only (not the echo of its last 500 to 1,000 posts)', async () => {
    const client = (await defaultPuppetFactory({ [TOKEN_ENV]: 'insecure_0123456789abcdef0123' })(testBot('p-01'))) as unknown as { cache: { message: Map<string, unknown> } };
    for (let i = 0; i < 1_000; i++) client.cache.message.set(`m${i}`, { id: `m${i}`, text: '【反诈提醒】'.repeat(50) });
    expect(client.cache.message.size).toBeLessThanOrEqual(2 * MESSAGE_CACHE.message);
    expect(client.cache.message.size).toBeGreaterThan(0);
  });
});
