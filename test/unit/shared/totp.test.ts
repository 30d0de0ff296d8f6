import { describe, expect, it } from 'vitest';
import { matchTotp, totpCode } from '../../../src/shared/totp.js';

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890" (base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ), 8 digits there: the last 6 here
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP (RFC 6238)', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('should give the RFC test vector at %i s', (t, code) => {
    expect(totpCode(SECRET, Math.floor(t / 30))).toBe(code);
  });

  it('should accept the step before and after, and never a step already used', () => {
    const at = new Date(1234567890_000);
    expect(matchTotp(SECRET, '005924', at)).toBe(41152263);
    expect(matchTotp(SECRET, totpCode(SECRET, 41152262), at)).toBe(41152262);
    expect(matchTotp(SECRET, '005924', at, 41152263)).toBeUndefined();
    expect(matchTotp(SECRET, '000000', at)).toBeUndefined();
  });
});
