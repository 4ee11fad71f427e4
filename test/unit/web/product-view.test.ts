// How a verification reads: the verdict in words with a distinct icon, each check, and each memory step; and the
// scanner's frame decoder on a QR code drawn to pixels, as a camera frame would hold it.
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import type { MemoryStep } from '../../../shared/tags/verify-product.js';
import { checkLines, owners, stepText, verdictText } from '../../../web/src/product/memory-view.js';
import { decodeFrame } from '../../../web/src/product/qr-frames.js';
import { cameraProblem } from '../../../web/src/product/qr-frames.js';

const step = (s: Partial<MemoryStep> & { step: string }): MemoryStep => ({ operation: 'TRANSFER', txId: 'tx', url: 'http://ledger/tx', owner: 'OwnerKey1234567890abcdef', details: {}, ...s });

describe('the product page’s words', () => {
  it('gives each verdict its own words and icon, never colour alone', () => {
    const all = (['authentic', 'possible-clone', 'not-authentic'] as const).map(verdictText);
    expect(all.map((v) => v.title)).toEqual(['Authentic', 'Possible clone', 'Not authentic']);
    expect(new Set(all.map((v) => v.icon)).size).toBe(3);
    expect(new Set(all.map((v) => v.tone)).size).toBe(3);
  });

  it('explains each check', () => {
    expect(checkLines({ signature: true, tag: 'fresh', ledger: 'verified' }).map((l) => l.passed)).toEqual([true, true, true]);
    const replayed = checkLines({ signature: true, tag: 'replayed', ledger: 'verified' });
    expect(replayed[1]).toMatchObject({ label: 'NFC tag', passed: false, text: expect.stringContaining('seen before') });
    expect(checkLines({ signature: false, tag: 'not-presented', ledger: 'not-found' }).map((l) => l.passed)).toEqual([false, 'neutral', false]);
  });

  it('names each step’s facts for people and shortens hashes', () => {
    const printed = stepText(step({ step: 'product.printed', operation: 'CREATE', details: { printerKey: 'PrinterKeyABCDEFGHIJKLMNOP', materialLot: 'lot-7', printParamsHash: 'a'.repeat(64), productId: 'prd_1' } }));
    expect(printed.title).toBe('Printed');
    expect(printed.who).toBe('Printer PrinterK…KLMNOP');
    expect(printed.facts).toContainEqual({ label: 'Material lot', value: 'lot-7' });
    const certified = stepText(step({ step: 'product.printed', details: { materialLot: 'lot-7', materialCertificates: [{ issuerPartnerId: 'supplier-1', certificateId: 'COA-1', documentSha256: 'b'.repeat(64) }] } }));
    expect(certified.facts).toContainEqual({ label: 'Material certificate', value: 'COA-1 from supplier-1 (document bbbbbbbb…bbbbbb)' });
    expect(printed.facts.find((f) => f.label === 'Print parameters')!.value).toBe('aaaaaaaa…aaaaaa');
    expect(stepText(step({ step: 'product.shipped', details: { carrierId: 'dpm-post' } })).who).toBe('Carrier dpm-post');
    expect(stepText(step({ step: 'product.delivered', details: { confirmedBy: 'customer-scan' } })).facts).toEqual([{ label: 'Confirmed by', value: 'the customer' }]);
    expect(stepText(step({ step: 'something.new', details: { k: 'v' } }))).toMatchObject({ title: 'something.new', facts: [{ label: 'k', value: 'v' }] });
    expect(owners([step({ step: 'design.registered', owner: 'D' }), step({ step: 'product.printed', owner: 'P' }), step({ step: 'product.tagged', owner: 'P' }), step({ step: 'product.delivered', owner: 'C' })])).toEqual(['P', 'C']);
  });

  it('shows a certificate of the material lot, recorded after the print, as the supplier’s step, not as a change of owner', () => {
    const lotStep = step({ step: 'material.certified', owner: 'P', details: { lotId: 'PLA-LOT-7', material: 'PLA', certificateId: 'COA-9', issuerPartnerId: 'supplier-1', documentSha256: 'c'.repeat(64), issuedAt: '2026-12-01T00:00:00Z', lotAssetId: 'd'.repeat(64) } });
    expect(stepText(lotStep)).toEqual({
      title: 'Material certified',
      who: 'Supplier supplier-1',
      facts: [
        { label: 'Material lot', value: 'PLA-LOT-7' },
        { label: 'Material', value: 'PLA' },
        { label: 'Certificate', value: 'COA-9' },
        { label: 'Document', value: 'cccccccc…cccccc' },
        { label: 'Issued', value: '2026-12-01T00:00:00Z' },
        { label: 'Lot on the ledger', value: 'dddddddd…dddddd' },
      ],
    });
    // The platform holds the lot; after delivery that is no hand-back of the product.
    expect(owners([step({ step: 'product.printed', owner: 'P' }), step({ step: 'product.delivered', owner: 'C' }), lotStep])).toEqual(['P', 'C']);
  });
});

describe('the scanner', () => {
  function framePixels(text: string, size = 480) {
    const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const n = qr.modules.size;
    const scale = Math.floor(size / (n + 8));
    const data = new Uint8ClampedArray(size * size * 4).fill(255);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const r = Math.floor(y / scale) - 4;
        const c = Math.floor(x / scale) - 4;
        if (r >= 0 && c >= 0 && r < n && c < n && qr.modules.get(r, c)) data.fill(20, (y * size + x) * 4, (y * size + x) * 4 + 3);
      }
    return { data, width: size, height: size };
  }

  it('finds the QR code in a frame’s pixels, and nothing in an empty frame', () => {
    const link = 'https://id.dpm.example/01/04359999000017/21/abc-1.1?s=' + 'x'.repeat(86);
    expect(decodeFrame(framePixels(link))).toBe(link);
    expect(decodeFrame({ data: new Uint8ClampedArray(64 * 64 * 4).fill(255), width: 64, height: 64 })).toBeUndefined();
  });

  it('says what to do about each camera refusal', () => {
    expect(cameraProblem({ name: 'NotAllowedError' })).toContain('Allow the camera');
    expect(cameraProblem({ name: 'NotFoundError' })).toContain('No camera');
    expect(cameraProblem({ name: 'NotReadableError' })).toContain('in use');
    expect(cameraProblem(new Error('x'))).toContain('paste the link');
  });
});
