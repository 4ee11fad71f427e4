// A product's memory in the formats others read: GS1 EPCIS 2.0 (JSON-LD) events and a digital product passport.
// Both are built from the re-verified ledger memory alone, so they carry nothing the ledger does not (ids, hashes,
// public keys) and every event links to the transaction it comes from.
import { NotFound } from '../errors.js';
import type { MemoryStep } from './verify-product.js';

export interface ProductIdentity {
  productId: string;
  gtin: string;
  serial: string;
}

const dpmContext = { dpm: 'https://dpm.example.com/ns/epcis#' };
/** The product as a GS1 Digital Link URI, the EPC form EPCIS 2.0 accepts. */
const productEpc = (p: ProductIdentity) => `https://id.gs1.org/01/${p.gtin}/21/${encodeURIComponent(p.serial)}`;
const timeOf = (s: MemoryStep) => s.occurredAt ?? new Date(0).toISOString();
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function base(s: MemoryStep) {
  return { eventTime: timeOf(s), eventTimeZoneOffset: '+00:00', 'dpm:ledgerTransaction': s.url, 'dpm:ledgerStep': s.step };
}

/** EPCIS 2.0 events: TransformationEvent (design + material lot → product), AssociationEvent (tag ↔ serial), ObjectEvents. */
export function epcisDocument(product: ProductIdentity, memory: readonly MemoryStep[], createdAt: string) {
  const epc = productEpc(product);
  const design = memory.find((m) => m.step === 'design.registered');
  const events: Record<string, unknown>[] = [];
  for (const s of memory) {
    if (s.step === 'product.printed') {
      events.push({
        type: 'TransformationEvent',
        ...base(s),
        inputEPCList: [`urn:dpm:design:${str(design?.details.designId) ?? str(s.details.design) ?? 'unknown'}`, `urn:dpm:lot:${encodeURIComponent(str(s.details.materialLot) ?? 'unknown')}`],
        outputEPCList: [epc],
        bizStep: 'commissioning',
        disposition: 'active',
        readPoint: { id: `urn:dpm:printer-key:${str(s.details.printerKey) ?? 'unknown'}` },
        'dpm:printParamsHash': s.details.printParamsHash,
        'dpm:gcodeHash': s.details.gcodeHash,
        'dpm:designFingerprint': design?.details.fingerprint,
      });
    } else if (s.step === 'material.certified') {
      // A step of the lot's own asset: the supplier's certificate, by the hash of its document.
      events.push({
        type: 'ObjectEvent',
        ...base(s),
        epcList: [`urn:dpm:lot:${encodeURIComponent(str(s.details.lotId) ?? 'unknown')}`],
        action: 'OBSERVE',
        bizStep: 'inspecting',
        disposition: 'conformant',
        'dpm:lotAsset': s.details.lotAssetId,
        'dpm:material': s.details.material,
        'dpm:certificateId': s.details.certificateId,
        'dpm:certificateIssuer': s.details.issuerPartnerId,
        'dpm:certificateSha256': s.details.documentSha256,
        'dpm:certificateIssuedAt': s.details.issuedAt,
      });
    } else if (s.step === 'product.tagged') {
      events.push({ type: 'AssociationEvent', ...base(s), parentID: epc, childEPCs: [`urn:dpm:nfc-tag:${str(s.details.tagKeyHash) ?? 'unknown'}`], action: 'ADD', bizStep: 'assembling', disposition: 'active' });
    } else if (s.step === 'product.shipped') {
      events.push({ type: 'ObjectEvent', ...base(s), epcList: [epc], action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', 'dpm:carrier': s.details.carrierId, 'dpm:trackingHash': s.details.trackingHash });
    } else if (s.step === 'product.delivered') {
      events.push({ type: 'ObjectEvent', ...base(s), epcList: [epc], action: 'OBSERVE', bizStep: 'receiving', disposition: 'active', 'dpm:newOwnerKey': s.owner, 'dpm:confirmedBy': s.details.confirmedBy });
    } else if (s.step === 'product.ownershipTransferred') {
      events.push({ type: 'ObjectEvent', ...base(s), epcList: [epc], action: 'OBSERVE', bizStep: 'retail_selling', disposition: 'active', 'dpm:newOwnerKey': s.owner });
    }
  }
  return {
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', dpmContext],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: createdAt,
    epcisBody: { eventList: events },
  };
}

/**
 * The certificates of the product's material lot: those it was printed with (on its own CREATE), then those on the
 * lot's asset that vouch for it (the memory holds only those, see verify-product.ts), recorded after it was printed
 * included. One entry per certificate; one also on the lot's asset gets that step's material and transaction.
 */
function materialCertificates(printed: MemoryStep, memory: readonly MemoryStep[]) {
  const keyOf = (c: Record<string, unknown>) => `${String(c.issuerPartnerId)}/${String(c.certificateId)}`;
  const onLot = new Map(memory.filter((m) => m.step === 'material.certified').map((m) => [keyOf(m.details), m]));
  const atPrint = Array.isArray(printed.details.materialCertificates) ? (printed.details.materialCertificates as Record<string, unknown>[]) : [];
  const fromLot = (m: MemoryStep | undefined) => (m ? { material: m.details.material, recordedAt: m.occurredAt, transaction: m.url } : {});
  const known = new Set(atPrint.map(keyOf));
  return [
    ...atPrint.map((c) => ({ ...c, ...fromLot(onLot.get(keyOf(c))) })),
    ...[...onLot.entries()]
      .filter(([k]) => !known.has(k))
      .map(([, m]) => ({ issuerPartnerId: m.details.issuerPartnerId, certificateId: m.details.certificateId, documentSha256: m.details.documentSha256, issuedAt: m.details.issuedAt, ...fromLot(m) })),
  ];
}

/** A digital product passport in the spirit of the EU DPP: identity, origin, materials, making, custody, proofs. */
export function productPassport(product: ProductIdentity, memory: readonly MemoryStep[], verification: { ledger: string; assetId?: string; currentOwner?: string }) {
  const design = memory.find((m) => m.step === 'design.registered');
  const printed = memory.find((m) => m.step === 'product.printed');
  const lotAssetId = str(memory.find((m) => m.step === 'material.certified')?.details.lotAssetId);
  return {
    '@context': { dpp: 'https://dpm.example.com/ns/passport#', gs1: 'https://gs1.org/voc/' },
    type: 'DigitalProductPassport',
    version: 1,
    identifier: { 'gs1:gtin': product.gtin, 'gs1:serialNumber': product.serial, digitalLink: productEpc(product), productId: product.productId },
    design: design ? { designId: design.details.designId, fingerprintSha256: design.details.fingerprint, licenseTermsHash: design.details.licenseTermsHash, designerKey: design.details.designerKey, registeredAt: design.occurredAt } : null,
    manufacturing: printed
      ? { process: 'fused filament fabrication (3D printing)', manufacturedAt: printed.occurredAt, printerKey: printed.details.printerKey, printParamsHash: printed.details.printParamsHash, gcodeSha256: printed.details.gcodeHash }
      : null,
    materials: printed ? [{ lot: printed.details.materialLot, ...(lotAssetId ? { lotAssetId } : {}), certificates: materialCertificates(printed, memory) }] : [],
    // The product's own steps: the design and the material lot are assets of their own.
    custody: memory.filter((m) => m.step !== 'design.registered' && m.step !== 'material.certified').map((m) => ({ step: m.step, at: m.occurredAt, ownerKey: m.owner, transaction: m.url })),
    currentOwnerKey: verification.currentOwner ?? null,
    verification: { ledger: verification.ledger, assetId: verification.assetId ?? null, method: 'Ed25519 signatures and SHA3-256 ids of every BigchainDB transaction, re-checked when this passport was made' },
  };
}

/** The exports of a product, found by its id: its tag identity from the order, its memory from the ledger. */
export async function exportProduct(
  input: { productId: string; format: 'epcis' | 'passport' },
  deps: { identity: (productId: string) => Promise<ProductIdentity | undefined>; memory: (productId: string) => Promise<{ ledger: string; memory: MemoryStep[]; asset?: { assetId: string; currentOwner?: string } }>; now: () => Date },
) {
  const identity = await deps.identity(input.productId);
  if (!identity) throw new NotFound(`Product ${input.productId} not found`);
  const m = await deps.memory(input.productId);
  if (m.ledger === 'not-found') throw new NotFound(`Product ${input.productId} is not on the ledger yet`);
  return input.format === 'epcis' ? epcisDocument(identity, m.memory, deps.now().toISOString()) : productPassport(identity, m.memory, { ledger: m.ledger, assetId: m.asset?.assetId, currentOwner: m.asset?.currentOwner });
}
