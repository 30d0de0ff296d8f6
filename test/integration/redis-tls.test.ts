import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Limiters, redisOptions } from '../../src/delivery/limiters.js';
import { redisAvailable, startDevRedis, type DevRedis } from '../../src/store/dev-redis.js';
import { NO_REDIS, testCertificates } from '../support/redis.js';

describe('ZHIMI_REDIS_URL with TLS and an ACL user', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const s of stops) await s();
  });

  it('should read rediss:// as TLS for the URL\'s host, and log in as the URL\'s user', () => {
    expect(redisOptions('rediss://zhimi:p%40ss@redis.example.gov.cn:6380/2')).toEqual({
      host: 'redis.example.gov.cn', port: 6380, username: 'zhimi', password: 'p@ss', db: 2, tls: { servername: 'redis.example.gov.cn' },
    });
    expect(redisOptions('redis://:secret@127.0.0.1:6379')).toEqual({ host: '127.0.0.1', port: 6379, password: 'secret' });
    expect(() => redisOptions('http://127.0.0.1:6379')).toThrow(/redis:\/\/ or rediss:\/\//);
  });

  it('should share its limiters through a Redis that speaks only TLS and knows only an ACL user', async (ctx) => {
    if (!redisAvailable()) ctx.skip(NO_REDIS);
    const certs = testCertificates();
    const redis: DevRedis = await startDevRedis({ tls: certs, user: { name: 'zhimi', password: 'p@ss word' } });
    stops.push(() => redis.stop(), async () => rmSync(certs.dir, { recursive: true, force: true }));
    expect(redis.url).toMatch(/^rediss:\/\/zhimi:p%40ss%20word@127\.0\.0\.1:\d+$/);
    const limiters = new Limiters({ fleet: { perMinute: 10 } }, { redisUrl: redis.url, redisTls: { ca: certs.caPem }, prefix: `tls-${process.pid}` });
    stops.push(() => limiters.close());
    await limiters.ready(5000);
    expect(await limiters.bot('alpha').schedule({ expiration: 5000 }, async () => 'ran')).toBe('ran');
    await limiters.fleetPosts.take(2, false);
  });
});
