// AES-CMAC against RFC 4493's test vectors, and SUN messages of a simulated NTAG 424 DNA tag.
import { describe, expect, it } from 'vitest';
import { aesCmac, parseSun, SimulatedTag, sunMac, sunMacValid } from '../../../shared/tags/sun.js';

const key = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
const msg = Buffer.from('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710', 'hex');

describe('AES-CMAC (RFC 4493 examples)', () => {
  it.each([
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('a %i-byte message', (length, expected) => {
    expect(aesCmac(key, msg.subarray(0, length)).toString('hex')).toBe(expected);
  });
});

describe('SUN messages', () => {
  const tagKey = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const uid = '04A1B2C3D4E5F6';

  it('gives each tap a fresh counter and a MAC only the key can make', () => {
    const tag = new SimulatedTag(tagKey, uid);
    const first = new URL(tag.tap('https://dpm.example.com/01/04359999000010/21/d.1?s=abc'));
    const second = new URL(tag.tap('https://dpm.example.com/01/04359999000010/21/d.1?s=abc'));
    const r1 = parseSun(Object.fromEntries(first.searchParams));
    const r2 = parseSun(Object.fromEntries(second.searchParams));
    expect(r1).toMatchObject({ uid, counter: 1 });
    expect(r2).toMatchObject({ uid, counter: 2 });
    expect(first.searchParams.get('s')).toBe('abc');
    if (typeof r1 !== 'object' || typeof r2 !== 'object') throw new Error('unreachable');
    expect(sunMacValid(tagKey, r1)).toBe(true);
    expect(sunMacValid(tagKey, r2)).toBe(true);
    expect(r1.cmac).not.toBe(r2.cmac);
    expect(sunMacValid(Buffer.alloc(16, 7), r1)).toBe(false);
    expect(sunMacValid(tagKey, { ...r1, counter: 3 })).toBe(false);
    expect(sunMac(tagKey, Buffer.from(uid, 'hex'), 1)).toHaveLength(8);
  });

  it('tells a tap without SUN parameters from a malformed one', () => {
    expect(parseSun({ s: 'x' })).toBeUndefined();
    expect(parseSun({ uid: '04', ctr: '000001', cmac: '00'.repeat(8) })).toBe('malformed');
  });
});
