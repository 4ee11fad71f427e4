// The material a product was printed from is part of its memory: the printer's operator declares the supplier's lot
// of each loaded spool, the printer reports the lot it printed from, and the supplier's certificate for that lot
// (recorded through its API key) goes on the ledger with the product, by the hash of its document. Every certificate
// is also a step of the lot's own ledger asset, so one recorded after the product was delivered (here by the
// supplier's signed webhook) still reaches the product's memory, its passport and `dpm verify`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as dpm } from '../../cli/main.js';
import type { BundleVerification } from '../../cli/proof-bundle.js';
import { secretBytes, signWebhook } from '../../shared/partners/partners.js';
import { addPrinter, listDesign, orderOn, type Agent } from '../support/fleet.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { until } from '../support/until.js';

type Memory = { step: string; operation: string; url: string; owner: string; details: Record<string, unknown> }[];

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

  it('puts the lot the printer printed from, with its supplier’s certificates (one recorded after the delivery too), in the product’s memory, its passport and `dpm verify`', async () => {
    const supplier = (await (await t.api('/partners', 'admin', { method: 'POST', body: JSON.stringify({ name: 'Lot Filament Co', kind: 'supplier' }) })).json()) as { partnerId: string; webhookSecret: string };
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
    expect(passport.materials).toEqual([{ lot: 'PLA-LOT-118', lotAssetId: expect.stringMatching(/^[0-9a-f]{64}$/), certificates: [expect.objectContaining({ certificateId: 'COA-2026-118', material: 'PLA' })] }]);

    // The customer confirms the delivery: the product is theirs, and its chain can no longer be added to by the platform.
    expect((await t.api(`/orders/${orderId}/delivery`, 'customer', { method: 'POST' })).ok).toBe(true);
    const verify = async () => (await (await fetch(verifyUrl, { headers: { accept: 'application/json' } })).json()) as { verdict: string; memory: Memory; materialLot?: { lotId: string; assetId?: string } };
    await until('the delivery on the ledger', verify, (v) => v.memory.some((m) => m.step === 'product.delivered'), 600);

    // After the delivery, the supplier sends another certificate for the lot by its signed webhook.
    const late = { ...certificate, certificateId: 'COA-2026-120', documentSha256: 'cd'.repeat(32), issuedAt: '2026-12-01T08:00:00Z' };
    const sendWebhook = async (webhookId: string, body: unknown) => {
      const rawBody = JSON.stringify(body);
      const at = Math.floor(Date.now() / 1000);
      const headers = { 'content-type': 'application/json', 'webhook-id': webhookId, 'webhook-timestamp': String(at), 'webhook-signature': signWebhook(secretBytes(supplier.webhookSecret), webhookId, at, rawBody) };
      return fetch(`${t.platform.gatewayUrl}/webhooks/suppliers/${supplier.partnerId}`, { method: 'POST', headers, body: rawBody });
    };
    expect((await sendWebhook('msg_late_1', late)).status).toBe(200);
    const after = await until('the late certificate in the product’s memory', verify, (v) => v.memory.some((m) => m.details.certificateId === 'COA-2026-120'), 600);
    expect(after.verdict).toBe('authentic');
    const lotSteps = after.memory.filter((m) => m.step === 'material.certified');
    // The PETG certificate of the same lot id does not vouch for a product printed with a PLA certificate.
    expect(lotSteps.map((m) => m.details.certificateId)).toEqual(['COA-2026-118', 'COA-2026-120']);
    expect(after.memory.map((m) => m.step).slice(-2)).toEqual(['product.delivered', 'material.certified']);
    expect(lotSteps[1]!.details).toEqual({ lotId: 'PLA-LOT-118', certificateId: 'COA-2026-120', issuerPartnerId: supplier.partnerId, material: 'PLA', documentSha256: late.documentSha256, issuedAt: late.issuedAt, lotAssetId: after.materialLot!.assetId });
    // Each step links to its transaction on the ledger, which anyone can read.
    const tx = (await (await fetch(lotSteps[1]!.url)).json()) as { operation: string; asset: { id: string }; metadata: Record<string, unknown> };
    expect(tx).toMatchObject({ operation: 'TRANSFER', asset: { id: after.materialLot!.assetId }, metadata: { step: 'material.certified', certificateId: 'COA-2026-120' } });
    expect(JSON.stringify(tx)).not.toContain('Lot Filament Co');
    const later = (await (await t.api(`/products/${productId}/passport`)).json()) as { materials: { certificates: { certificateId: string; transaction?: string }[] }[] };
    expect(later.materials[0]!.certificates.map((c) => c.certificateId)).toEqual(['COA-2026-118', 'COA-2026-120']);
    const epcis = (await (await t.api(`/products/${productId}/epcis`)).json()) as { epcisBody: { eventList: Record<string, unknown>[] } };
    expect(epcis.epcisBody.eventList.filter((e) => e['dpm:ledgerStep'] === 'material.certified').map((e) => e['dpm:certificateId'])).toEqual(['COA-2026-118', 'COA-2026-120']);

    // A retried certificate (the same content under a new webhook id, and through the API) adds no step: the lot's
    // next certificate, queued behind the retries in the lot's FIFO group, lands right after COA-2026-120.
    expect((await sendWebhook('msg_late_2', late)).status).toBe(200);
    const retried = await fetch(`${t.platform.gatewayUrl}/partner/material-certificates`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.apiKey}` }, body: JSON.stringify(late) });
    expect(retried.status).toBe(200);
    const next = { ...late, certificateId: 'COA-2026-121', documentSha256: 'ef'.repeat(32) };
    expect((await fetch(`${t.platform.gatewayUrl}/partner/material-certificates`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.apiKey}` }, body: JSON.stringify(next) })).status).toBe(201);
    const last = await until('the next certificate in the product’s memory', verify, (v) => v.memory.some((m) => m.details.certificateId === 'COA-2026-121'), 600);
    expect(last.memory.filter((m) => m.step === 'material.certified').map((m) => m.details.certificateId)).toEqual(['COA-2026-118', 'COA-2026-120', 'COA-2026-121']);

    // `dpm verify` finds the product's lot on the ledger by itself and checks the lot's chain like the product's.
    const ledger = t.platform.urls.ledger!;
    const productAsset = (await (await fetch(`${ledger}/api/v1/assets?search=${productId}`)).json()) as { id: string; data: { productId?: string } }[];
    const assetId = productAsset.find((a) => a.data.productId === productId)!.id;
    let out = '';
    expect(await dpm(['verify', assetId, '--ledger', ledger], (x) => (out += x), () => undefined)).toBe(0);
    expect(out).toContain(`Material lot PLA-LOT-118: asset ${after.materialLot!.assetId}, verified`);
    expect(out).toContain('certificateId=COA-2026-120');
    expect(out).toContain('Material lot PLA-LOT-118: 4 certificates, created by the product');
    let json = '';
    expect(await dpm(['verify', assetId, '--ledger', ledger, '--json'], (x) => (json += x), () => undefined)).toBe(0);
    const verified = JSON.parse(json) as BundleVerification;
    // The lot's whole chain, every material: the platform created it and holds it; the product is the customer's.
    expect(verified.lot!.story.map((s) => [s.operation, s.details.certificateId, s.details.material])).toEqual([
      ['CREATE', 'COA-2026-118', 'PLA'],
      ['TRANSFER', 'COA-2026-119', 'PETG'],
      ['TRANSFER', 'COA-2026-120', 'PLA'],
      ['TRANSFER', 'COA-2026-121', 'PLA'],
    ]);
    expect(verified.lot!.story[0]!.signer).toBe(verified.story[0]!.signer);
    expect(verified.currentOwner).not.toBe(verified.lot!.currentOwner);
  }, 420_000);
});
