// Device signing keys read once per printer: the key behind a printer id never changes (the id is derived from it).
import { describe, expect, it } from 'vitest';
import { DeviceSigningKeys } from '../../../shared/printers/device-signing-keys.js';
import type { Printer } from '../../../shared/printers/printer.js';

function store(ids: string[]) {
  const reads: string[] = [];
  return {
    reads,
    printers: {
      get: async (id: string) => {
        reads.push(id);
        return ids.includes(id) ? ({ printerId: id, deviceKeys: { signingKey: `key-of-${id}`, encryptionKey: 'e' } } as unknown as Printer) : undefined;
      },
    },
  };
}

describe('device signing keys', () => {
  it('reads a printer once, and an unknown printer each time it is asked (it may be registered since)', async () => {
    const s = store(['p1']);
    const keys = new DeviceSigningKeys(s.printers);
    expect(await keys.of('p1')).toBe('key-of-p1');
    expect(await keys.of('p1')).toBe('key-of-p1');
    expect(await keys.of('p9')).toBeUndefined();
    expect(await keys.of('p9')).toBeUndefined();
    expect(s.reads).toEqual(['p1', 'p9', 'p9']);
  });

  it('forgets the oldest printer beyond its bound, and reads it again when asked', async () => {
    const s = store(['p1', 'p2', 'p3']);
    const keys = new DeviceSigningKeys(s.printers, 2);
    for (const id of ['p1', 'p2', 'p3', 'p2', 'p1']) await keys.of(id);
    expect(s.reads).toEqual(['p1', 'p2', 'p3', 'p1']);
  });
});
