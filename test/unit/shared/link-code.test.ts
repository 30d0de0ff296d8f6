import { describe, expect, it } from 'vitest';
import { deliveryIdFor } from '../../../src/shared/delivery-id.js';
import { deliveryIdOfCode, linkCode, shortLink, useLinkKey } from '../../../src/shared/link-code.js';

const KEY = 'a-link-key-of-thirty-two-bytes!!';

describe('tracked link codes', () => {
  const runId = 'double11@2026-11-25T11:30:00.000Z';
  const groups = ['6744a1b2c3d4e5f601234567', '6744a1b2c3d4e5f601234568', '0123456789abcdef01234567'];
  const ids = groups.map((g) => deliveryIdFor(runId, g));

  it('should not let one code of a run give away another (the id XOR a per-run key did, in about 16,000 guesses)', () => {
    const [mine, other] = ids as [string, string];
    const code = linkCode(mine, KEY);
    // what an attacker derives from their own code: the other delivery's id, as the old codes were
    const xor = Buffer.from(deliveryIdOfCode(code, KEY)!, 'hex');
    const delta = Buffer.from(groups[0]!, 'hex').map((b, i) => b ^ Buffer.from(groups[1]!, 'hex')[i]!);
    const derivedId = Buffer.from(xor.map((b, i) => b ^ delta[i]!)).toString('hex');
    expect(derivedId).toBe(other);
    // the id alone no longer opens it: 96 bits of MAC must be right too
    const guessed = Buffer.concat([Buffer.from(derivedId, 'hex'), Buffer.from(code, 'base64url').subarray(12)]).toString('base64url');
    expect(deliveryIdOfCode(guessed, KEY)).toBeUndefined();
    expect(deliveryIdOfCode(linkCode(other, KEY), KEY)).toBe(other);
  });

  it('should carry at least 96 bits that only the key makes, and find the delivery by its id', () => {
    const code = linkCode(ids[0]!, KEY);
    expect(Buffer.from(code, 'base64url').length - 12).toBeGreaterThanOrEqual(12);
    expect(deliveryIdOfCode(code, KEY)).toBe(ids[0]);
    expect(deliveryIdOfCode(code, 'another-key-of-thirty-two-bytes!')).toBeUndefined();
    // one flipped character of the MAC
    const last = code.at(-1) === 'A' ? 'B' : 'A';
    expect(deliveryIdOfCode(code.slice(0, -1) + last, KEY)).toBeUndefined();
    // the old 16-character codes are not accepted
    expect(deliveryIdOfCode(Buffer.from(ids[0]!, 'hex').toString('base64url'), KEY)).toBeUndefined();
  });

  it('should sign with the key registered for a base given as a string, and refuse a base without one', () => {
    expect(() => shortLink('https://nokey.example.gov.cn', ids[0]!)).toThrow(/no link key for https:\/\/nokey\.example\.gov\.cn/);
    useLinkKey({ base: 'https://r.example.gov.cn/', key: KEY });
    expect(shortLink('https://r.example.gov.cn', ids[0]!)).toBe(`https://r.example.gov.cn/r/${linkCode(ids[0]!, KEY)}`);
  });
});
