import { describe, expect, it } from 'vitest';
import { open, seal, SealedDataInvalid } from '../../../shared/crypto/envelope.js';
import { InMemoryDataKeys } from '../../support/fakes/designs.js';

describe('envelope encryption', () => {
  const stl = new TextEncoder().encode('solid secret design\nendsolid\n');

  it('round-trips, and never stores the plaintext', async () => {
    const keys = new InMemoryDataKeys();
    const sealed = await seal(stl, keys, { designId: 'd-1' });
    expect(Buffer.from(sealed).includes(Buffer.from('secret design'))).toBe(false);
    expect(Buffer.from(await open(sealed, keys, { designId: 'd-1' })).toString()).toBe('solid secret design\nendsolid\n');
  });

  it('uses a fresh data key per object and wipes plaintext keys after use', async () => {
    const keys = new InMemoryDataKeys();
    const a = await seal(stl, keys, { designId: 'd-1' });
    const b = await seal(stl, keys, { designId: 'd-1' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    await open(a, keys, { designId: 'd-1' });
    expect(keys.handedOut.length).toBe(3);
    for (const k of keys.handedOut) expect(k.every((byte) => byte === 0)).toBe(true);
  });

  it('refuses another object’s context, a tampered body and garbage, each with SealedDataInvalid', async () => {
    const keys = new InMemoryDataKeys();
    const sealed = await seal(stl, keys, { designId: 'd-1' });
    await expect(open(sealed, keys, { designId: 'd-2' })).rejects.toBeInstanceOf(SealedDataInvalid);
    const tampered = Uint8Array.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    await expect(open(tampered, keys, { designId: 'd-1' })).rejects.toThrow('altered');
    await expect(open(new Uint8Array([1, 2, 3]), keys, { designId: 'd-1' })).rejects.toThrow('Not a DPM sealed object');
    await expect(open(sealed.subarray(0, 20), keys, { designId: 'd-1' })).rejects.toThrow('truncated');
  });
});
