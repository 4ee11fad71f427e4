import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/printer-main.js';

describe('dpm-printer', () => {
  it('makes device keys once, keeps them private to the user, and prints only the public halves', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dpm-printer-'));
    try {
      let out = '';
      expect(await main(['init', '--thing', 'p1', '--state', dir], (s) => (out += s))).toBe(0);
      const shown = JSON.parse(out);
      expect(Object.keys(shown).sort()).toEqual(['encryptionKey', 'signingKey', 'thing']);
      const stored = JSON.parse(await readFile(join(dir, 'p1', 'device-keys.json'), 'utf8'));
      expect(stored.signing.publicKey).toBe(shown.signingKey);
      expect(out).not.toContain(stored.signing.privateKey);
      expect((await stat(join(dir, 'p1', 'device-keys.json'))).mode & 0o777).toBe(0o600);
      let again = '';
      await main(['init', '--thing', 'p1', '--state', dir], (s) => (again += s));
      expect(JSON.parse(again)).toEqual(shown);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers usage errors with exit code 2', async () => {
    const quiet = () => undefined;
    expect(await main([], quiet, quiet)).toBe(2);
    expect(await main(['run'], quiet, quiet)).toBe(2);
    expect(await main(['run', '--mqtt', 'mqtt://x'], quiet, quiet)).toBe(2);
    expect(await main(['run', '--mqtt', 'mqtt://x', '--thing', 't', '--password', 'p', '--time-scale', '0'], quiet, quiet)).toBe(2);
    expect(await main(['run', '--mqtt', 'mqtt://x', '--thing', 't', '--password', 'p', '--runout-at', '2'], quiet, quiet)).toBe(2);
    expect(await main(['init'], quiet, quiet)).toBe(2);
    expect(await main(['run', '--mqtt', 'mqtts://x', '--thing', 't', '--cert', 'c.pem'], quiet, quiet)).toBe(2);
  });

  it('runs with the keys `init` made under another name (--device), and never makes new ones for it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dpm-printer-'));
    try {
      let err = '';
      expect(await main(['run', '--mqtt', 'mqtt://127.0.0.1:1', '--thing', 'printer-1', '--password', 'p', '--device', 'workshop', '--state', dir], () => undefined, (s) => (err += s))).toBe(2);
      expect(err).toContain('No device keys for workshop');
      await expect(stat(join(dir, 'workshop'))).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
