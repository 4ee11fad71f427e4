// What the printer pages read from people and devices: the pasted output of `dpm-printer init`, and a printer's
// reported shadow (the device's free-form word), field by field.
import { describe, expect, it } from 'vitest';
import { main as printerCli } from '../../../cli/printer-main.js';
import { checkConfig, configFieldOf, emptyConfig } from '../../../web/src/printer/printer-form.js';
import { telemetryOf } from '../../../web/src/printer/telemetry.js';
import { readPublicKeys } from '../../../web/src/printer/device-keys.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('pasted device keys', () => {
  it('takes what dpm-printer init printed, and never the private key file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dpm-keys-'));
    try {
      let out = '';
      expect(await printerCli(['init', '--thing', 'garage', '--state', dir], (s) => (out += s))).toBe(0);
      const read = readPublicKeys(out);
      expect(read.device).toBe('garage');
      expect(read.keys).toEqual({ encryptionKey: JSON.parse(out).encryptionKey, signingKey: JSON.parse(out).signingKey });
      const privateFile = await readFile(join(dir, 'garage', 'device-keys.json'), 'utf8');
      expect(readPublicKeys(privateFile)).toEqual({ error: expect.stringContaining('private key file') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says what is wrong with anything else', () => {
    const key = 'A'.repeat(43);
    expect(readPublicKeys('').error).toContain('Paste the output');
    expect(readPublicKeys('encryptionKey: abc').error).toContain('braces included');
    expect(readPublicKeys('5').error).toContain('one JSON object');
    expect(readPublicKeys(JSON.stringify({ encryptionKey: 'short', signingKey: key })).error).toContain('encryptionKey');
    expect(readPublicKeys(JSON.stringify({ encryptionKey: key, signingKey: 'B'.repeat(44) })).error).toContain('signingKey');
    expect(readPublicKeys(JSON.stringify({ encryptionKey: key, signingKey: key })).error).toContain('the same');
  });
});

describe('a printer’s reported state', () => {
  it('keeps the fields of the right types and drops the rest', () => {
    expect(
      telemetryOf({
        nozzleC: 210,
        bedC: '60',
        material: { type: 'PLA', levelPct: 42.5 },
        job: 'ord_1.0',
        progress: { jobId: 'ord_1.0', layer: 3, layers: 10, percent: 30 },
        alerts: [{ type: 'filament-runout', at: '2026-12-02T10:00:00Z', detail: 'at layer 3' }, { type: 5 }, 'x'],
        approveJobs: true,
      }),
    ).toEqual({
      nozzleC: 210,
      material: { type: 'PLA', levelPct: 42.5 },
      job: 'ord_1.0',
      progress: { jobId: 'ord_1.0', layer: 3, layers: 10, percent: 30 },
      alerts: [{ type: 'filament-runout', at: '2026-12-02T10:00:00Z', detail: 'at layer 3' }],
      approveJobs: true,
    });
    expect(telemetryOf(null)).toEqual({ alerts: [] });
  });
});

describe('the printer configuration form', () => {
  const draft = { ...emptyConfig, name: 'Garage MK4', region: 'Lyon', materials: [{ type: 'PLA', color: 'black', lot: ' PLA-LOT-118 ' }, { type: 'PETG', color: 'clear', lot: '' }] };

  it('sends a spool’s supplier lot when one is given, and nothing for an empty one', () => {
    expect(checkConfig(draft).body?.loadedMaterials).toEqual([
      { type: 'PLA', color: 'black', lotId: 'PLA-LOT-118' },
      { type: 'PETG', color: 'clear' },
    ]);
  });

  it('names a malformed lot beside its field, as the API would', () => {
    const bad = checkConfig({ ...draft, materials: [{ type: 'PLA', color: 'black', lot: 'lot 118/b' }] });
    expect(bad.body).toBeUndefined();
    expect(bad.errors['material-0-lot']).toContain('letters, digits');
    expect(configFieldOf('config.loadedMaterials.2.lotId', 'config.')).toBe('material-2-lot');
    expect(configFieldOf('loadedMaterials.0.color')).toBe('material-0-color');
  });
});
