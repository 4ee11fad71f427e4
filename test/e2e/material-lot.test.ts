// The material a product was printed from is part of its memory: the printer's operator declares the supplier's lot
// of each loaded spool, the printer reports the lot it printed from, and the supplier's certificate for that lot
// (recorded through its API key) goes on the ledger with the product, by the hash of its document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPrinter, listDesign, orderOn, type Agent } from '../support/fleet.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { until } from '../support/until.js';

type Memory = { step: string; details: Record<string, unknown> }[];

describe('a product’s material lot and its supplier’s certificate', () => {
  let t: TestPlatform;
  const agents: Agent[] = [];

  beforeAll(async () => {
    t = await startTestPlatform();
  }, 180_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await t?.close();
  });

  it('puts the lot the printer printed from, with the supplier’s certificate for it, in the product’s memory', async () => {
    const supplier = (await (await t.api('/partners', 'admin', { method: 'POST', body: JSON.stringify({ name: 'Lot Filament Co', kind: 'supplier' }) })).json()) as { partnerId: string };
    const key = (await (await t.api(`/partners/${supplier.partnerId}/keys`, 'admin', { method: 'POST', body: JSON.stringify({ label: 'lots', scopes: ['materials:write'] }) })).json()) as { apiKey: string };
    const certificate = { certificateId: 'COA-2026-118', lotId: 'PLA-LOT-118', material: 'PLA', documentSha256: 'ab'.repeat(32), issuedAt: '2026-11-20T08:00:00Z' };
    // Another material's certificate for the same lot id does not vouch for this spool.
    const other = { ...certificate, certificateId: 'COA-2026-119', material: 'PETG' };
    for (const c of [certificate, other]) {
      const r = await fetch(`${t.platform.gatewayUrl}/partner/material-certificates`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.apiKey}` }, body: JSON.stringify(c) });
      expect(r.status).toBe(201);
    }

    const designId = await listDesign(t, 'Lot hook');
    const { printerId, agent } = await addPrinter(t, 'Lot printer', { config: { loadedMaterials: [{ type: 'PLA', color: 'black', lotId: 'PLA-LOT-118' }] } });
    agents.push(agent);
    const orderId = await orderOn(t, designId, printerId);
    const shipped = await until(`${orderId} shipped`, async () => (await (await t.api(`/orders/${orderId}`, 'customer')).json()) as { status: string; tag?: { url: string } }, (o) => o.status === 'shipped', 600);

    const verifyUrl = shipped.tag!.url.replace(/^https?:\/\/[^/]+/, t.platform.gatewayUrl);
    const printed = await until(
      'the product on the ledger',
      async () => ((await (await fetch(verifyUrl, { headers: { accept: 'application/json' } })).json()) as { memory: Memory }).memory.find((m) => m.step === 'product.printed'),
      (m) => m !== undefined,
      600,
    );
    expect(printed!.details).toMatchObject({
      materialLot: 'PLA-LOT-118',
      materialCertificates: [{ issuerPartnerId: supplier.partnerId, certificateId: 'COA-2026-118', documentSha256: certificate.documentSha256, issuedAt: certificate.issuedAt }],
    });
    // The product passport lists the lot with the same certificate.
    const productId = `prd_${orderId.slice(4)}`;
    const passport = (await (await t.api(`/products/${productId}/passport`)).json()) as { materials: { lot: string; certificates: { certificateId: string }[] }[] };
    expect(passport.materials).toEqual([{ lot: 'PLA-LOT-118', certificates: [expect.objectContaining({ certificateId: 'COA-2026-118' })] }]);
  }, 240_000);
});
