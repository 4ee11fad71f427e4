// Inbound partner webhooks with fakes: one way in for every kind (signature, partner kind, webhook-id idempotency),
// here with suppliers' material certificates, and the same certificate through the supplier's API key.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseLedgerEvent, type LedgerEvent } from '../../../events/ledger-events.js';
import { Conflict, InvalidInput, NotFound, Unauthenticated } from '../../../shared/errors.js';
import { hashKeySecret } from '../../../shared/partners/api-keys.js';
import { postMaterialCertificate, receiveSupplierCertificate } from '../../../shared/partners/inbound-webhooks.js';
import type { MaterialCertificate, MaterialCertificates } from '../../../shared/partners/material-certificates.js';
import { registerPartner, secretBytes, signWebhook } from '../../../shared/partners/partners.js';
import { InMemoryDataKeys } from '../../support/fakes/designs.js';
import { InMemoryPartnerKeys, InMemoryPartners, manualClock } from '../../support/fakes/partners.js';

class InMemoryCertificates implements MaterialCertificates {
  readonly byId = new Map<string, MaterialCertificate>();
  async create(c: MaterialCertificate) {
    const k = `${c.issuerPartnerId}#${c.certificateId}`;
    if (this.byId.has(k)) return false;
    this.byId.set(k, structuredClone(c));
    return true;
  }
  async get(issuer: string, id: string) {
    return this.byId.get(`${issuer}#${id}`);
  }
  async listByLot(lotId: string) {
    return [...this.byId.values()].filter((c) => c.lotId === lotId);
  }
}

/** The bus as the ledger queue sees it: every publication, in order. */
class RecordedLedgerEvents {
  readonly published: LedgerEvent[] = [];
  async publish(...events: LedgerEvent[]) {
    this.published.push(...events.map((e) => parseLedgerEvent(e)));
  }
}

const certificate = { certificateId: 'cert-2026-0042', lotId: 'PLA-LOT-7781', material: 'PLA', documentSha256: 'a'.repeat(64), issuedAt: '2026-11-30T10:00:00Z' };

async function given(kind: 'supplier' | 'carrier' = 'supplier') {
  const clock = manualClock();
  const deps = { partners: new InMemoryPartners(), dataKeys: new InMemoryDataKeys(), certificates: new InMemoryCertificates(), partnerKeys: new InMemoryPartnerKeys(), events: new RecordedLedgerEvents(), ...clock };
  const partner = await registerPartner({ name: 'Filament Works', kind }, { ...deps, newId: () => randomBytes(4).toString('hex') });
  const send = (id: string, body: unknown, at = Math.floor(clock.now().getTime() / 1000)) => {
    const rawBody = JSON.stringify(body);
    return receiveSupplierCertificate({ partnerId: partner.partnerId, rawBody, headers: { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signWebhook(secretBytes(partner.webhookSecret), id, at, rawBody) } }, deps);
  };
  return { deps, partner, send };
}

describe('a supplier’s certificate webhook', () => {
  it('records the certificate once under its lot; the same webhook-id again is a duplicate', async () => {
    const { deps, partner, send } = await given();
    expect(await send('msg_1', certificate)).toEqual({ received: true, duplicate: false });
    expect(await send('msg_1', certificate)).toEqual({ received: true, duplicate: true });
    expect(await deps.certificates.listByLot('PLA-LOT-7781')).toEqual([{ ...certificate, issuerPartnerId: partner.partnerId, via: 'webhook', recordedAt: expect.any(String) }]);
  });

  it('refuses a bad signature (401), a body that is not a certificate (400), and another kind of partner (404)', async () => {
    const { partner, deps, send } = await given();
    await expect(receiveSupplierCertificate({ partnerId: partner.partnerId, rawBody: JSON.stringify(certificate), headers: { 'webhook-id': 'm', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' } }, deps)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(send('msg_2', { ...certificate, documentSha256: 'nope' })).rejects.toBeInstanceOf(InvalidInput);
    const carrier = await given('carrier');
    await expect(carrier.send('msg_3', certificate)).rejects.toBeInstanceOf(NotFound);
  });

  it('a new webhook with the same certificate id is fine if the content is the same, a conflict if not', async () => {
    const { send } = await given();
    await send('msg_1', certificate);
    expect(await send('msg_2', certificate)).toEqual({ received: true, duplicate: false });
    await expect(send('msg_3', { ...certificate, documentSha256: 'b'.repeat(64) })).rejects.toBeInstanceOf(Conflict);
  });
});

describe('a recorded certificate becomes a step of its lot on the ledger', () => {
  it('publishes material.certified on the lot’s FIFO group, with ids and hashes only', async () => {
    const { deps, partner, send } = await given();
    await send('msg_1', certificate);
    expect(deps.events.published).toEqual([
      {
        type: 'material.certified',
        version: 1,
        eventId: expect.stringMatching(/^material\.certified:[0-9a-f]{64}$/),
        occurredAt: deps.now().toISOString(),
        assetKey: 'lot:PLA-LOT-7781',
        lotId: 'PLA-LOT-7781',
        certificateId: 'cert-2026-0042',
        issuerPartnerId: partner.partnerId,
        material: 'PLA',
        documentSha256: 'a'.repeat(64),
        issuedAt: '2026-11-30T10:00:00Z',
      },
    ]);
    expect(JSON.stringify(deps.events.published)).not.toContain('Filament Works');
  });

  it('re-publishes the very same event when the same certificate comes again (the writer keeps one step), and nothing for a conflict', async () => {
    const { deps, send } = await given();
    await send('msg_1', certificate);
    deps.advance(60);
    // A new webhook with the same certificate: the sender retried, perhaps because the first event never left.
    await send('msg_2', certificate);
    expect(deps.events.published).toHaveLength(2);
    expect(deps.events.published[1]).toEqual(deps.events.published[0]);
    await expect(send('msg_3', { ...certificate, documentSha256: 'b'.repeat(64) })).rejects.toBeInstanceOf(Conflict);
    expect(deps.events.published).toHaveLength(2);
  });

  it('a certificate whose event cannot be published fails, and its retry publishes it', async () => {
    const { deps, send } = await given();
    const publish = deps.events.publish.bind(deps.events);
    deps.events.publish = async () => {
      throw new Error('bus down');
    };
    await expect(send('msg_1', certificate)).rejects.toThrow('bus down');
    deps.events.publish = publish;
    // The webhook was not marked handled, so the supplier's retry of the same message is applied again.
    expect(await send('msg_1', certificate)).toEqual({ received: true, duplicate: false });
    expect(deps.events.published.map((e) => e.type)).toEqual(['material.certified']);
  });

  it('names a lot id too long for a FIFO group by its hash', async () => {
    const { deps, send } = await given();
    await send('msg_1', { ...certificate, lotId: 'L'.repeat(128) });
    expect(deps.events.published[0]!.assetKey).toMatch(/^lot-sha256:[0-9a-f]{64}$/);
  });
});

describe('a certificate through the API', () => {
  it('needs a key with materials:write and records the certificate as the key’s partner', async () => {
    const { deps, partner } = await given();
    const secret = 'k'.repeat(43);
    await deps.partnerKeys.create({ keyId: '00000000000000bb', partnerId: partner.partnerId, label: 'lab', scopes: ['materials:write'], secretHash: hashKeySecret('00000000000000bb', secret), createdAt: '2026-12-01T00:00:00Z' });
    const out = await postMaterialCertificate({ ...certificate, material: 'PLA', apiKey: `dpmk.00000000000000bb.${secret}` }, deps);
    expect(out).toMatchObject({ created: true, certificate: { issuerPartnerId: partner.partnerId, via: 'api' } });
    expect((await postMaterialCertificate({ ...certificate, material: 'PLA', apiKey: `dpmk.00000000000000bb.${secret}` }, deps)).created).toBe(false);
    await expect(postMaterialCertificate({ ...certificate, material: 'PLA', apiKey: 'dpmk.nope' }, deps)).rejects.toBeInstanceOf(Unauthenticated);
    // Both acceptances published the same step; the refused key published nothing.
    expect(deps.events.published.map((e) => e.eventId)).toEqual([deps.events.published[0]!.eventId, deps.events.published[0]!.eventId]);
  });
});
