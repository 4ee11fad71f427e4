import { describe, expect, it } from 'vitest';
import { generateDeviceEncryptionKey, openPrintFile, PrintFileCorrupt, PrintFileRefused, sealPrintFile, sha256Hex } from '../../../shared/printing/print-file-seal.js';
import { RuleViolation } from '../../../shared/errors.js';

const gcode = Buffer.from(';LAYER:0\nG1 X10 Y10 E1.2 F1200\n;LAYER:1\nG1 X20 Y20 E2.4\n');
const now = new Date('2026-11-24T12:00:00Z');
const expiresAt = new Date('2026-11-24T13:00:00Z');

describe('print files sealed for one printer and one job', () => {
  const printerA = { printerId: 'printer-a', ...generateDeviceEncryptionKey() };
  const printerB = { printerId: 'printer-b', ...generateDeviceEncryptionKey() };
  const { sealed, header } = sealPrintFile(gcode, printerA, { jobId: 'job-1', expiresAt });

  it('opens on the addressed printer, for its job, before expiry, with the recorded hash', () => {
    expect(header).toEqual({ v: 1, jobId: 'job-1', printerId: 'printer-a', expiresAt: expiresAt.toISOString(), gcodeSha256: sha256Hex(gcode) });
    expect(sealed.includes(Buffer.from('G1 X10'))).toBe(false);
    expect(openPrintFile(sealed, printerA, { jobId: 'job-1', gcodeSha256: sha256Hex(gcode), now }).equals(gcode)).toBe(true);
  });

  it('refuses another printer, even one that claims to be the addressee', () => {
    expect(() => openPrintFile(sealed, printerB, { jobId: 'job-1', now })).toThrow(PrintFileRefused);
    expect(() => openPrintFile(sealed, { ...printerB, printerId: 'printer-a' }, { jobId: 'job-1', now })).toThrow(PrintFileRefused);
  });

  it('refuses another job, an expired file and a hash that is not the job’s', () => {
    expect(() => openPrintFile(sealed, printerA, { jobId: 'job-2', now })).toThrow(PrintFileRefused);
    expect(() => openPrintFile(sealed, printerA, { jobId: 'job-1', now: expiresAt })).toThrow(RuleViolation);
    expect(() => openPrintFile(sealed, printerA, { jobId: 'job-1', gcodeSha256: '0'.repeat(64), now })).toThrow(PrintFileRefused);
  });

  it('detects tampering with the body or the header', () => {
    const body = Buffer.from(sealed);
    body[body.length - 1]! ^= 1;
    expect(() => openPrintFile(body, printerA, { jobId: 'job-1', now })).toThrow(PrintFileRefused);
    // Extending the expiry in the header breaks the authentication of the whole file.
    const text = sealed.toString('latin1').replace(expiresAt.toISOString(), '2099-11-24T13:00:00.000Z');
    expect(() => openPrintFile(Buffer.from(text, 'latin1'), printerA, { jobId: 'job-1', now })).toThrow(PrintFileRefused);
    expect(() => openPrintFile(Buffer.from('nope'), printerA, { jobId: 'job-1', now })).toThrow(PrintFileCorrupt);
    expect(() => openPrintFile(sealed.subarray(0, 40), printerA, { jobId: 'job-1', now })).toThrow(PrintFileCorrupt);
  });
});
