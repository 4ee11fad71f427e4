// Contracts of the domain events that become steps of a product's memory on the ledger. Producers validate before
// publishing; the ledger writer parses. Every event is versioned; a new shape is a new version beside the old one.
// Only ids, hashes and public-key references travel here: nothing personal ever reaches the ledger.
import { z } from 'zod';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest');
const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : -');

const base = {
  /** Unique per step; also the SQS deduplication id and the ledger writer's idempotency key. */
  eventId: id,
  occurredAt: z.iso.datetime({ offset: true }),
  /** The ledger asset the step belongs to: its FIFO message group, so each asset's steps are written in order. */
  assetKey: id,
};

export const DesignRegisteredV1 = z.strictObject({
  ...base,
  type: z.literal('design.registered'),
  version: z.literal(1),
  designId: id,
  designerId: id,
  fingerprint: hex64,
  licenseTermsHash: hex64,
  termsVersion: z.number().int().min(1),
});

export const ProductPrintedV1 = z.strictObject({
  ...base,
  type: z.literal('product.printed'),
  version: z.literal(1),
  productId: id,
  designId: id,
  orderId: id,
  printerId: id,
  materialLot: id,
  printParamsHash: hex64,
  gcodeHash: hex64,
});

/** V1 and, beside it, the supplier certificates of the material lot the product was printed from (as recorded when it
 * was printed): who vouched for the lot, their certificate's id and its document's hash. */
export const ProductPrintedV2 = z.strictObject({
  ...ProductPrintedV1.shape,
  version: z.literal(2),
  materialCertificates: z
    .array(z.strictObject({ issuerPartnerId: id, certificateId: id, documentSha256: hex64, issuedAt: z.iso.datetime({ offset: true }) }))
    .max(16),
});

export const ProductTaggedV1 = z.strictObject({
  ...base,
  type: z.literal('product.tagged'),
  version: z.literal(1),
  productId: id,
  gtin: z.string().regex(/^\d{14}$/, 'a 14-digit GTIN'),
  serial: id,
  tagKeyHash: hex64,
});

export const ProductShippedV1 = z.strictObject({
  ...base,
  type: z.literal('product.shipped'),
  version: z.literal(1),
  productId: id,
  carrierId: id,
  trackingHash: hex64,
});

export const ProductDeliveredV1 = z.strictObject({
  ...base,
  type: z.literal('product.delivered'),
  version: z.literal(1),
  productId: id,
  /** Pseudonymous account id; only the owner's custodial public key goes on the ledger. */
  customerId: id,
  confirmedBy: z.enum(['carrier', 'customer-scan']),
});

/**
 * V1 and, beside it, the carrier the product was shipped with (the company's id, as in product.shipped): the partners'
 * notifier needs it to tell a partner carrier of the delivery, and without it read the shipment on every delivery,
 * the platform's own carrier's too. The ledger step is the same for both versions: the carrier is on it already.
 */
export const ProductDeliveredV2 = z.strictObject({
  ...ProductDeliveredV1.shape,
  version: z.literal(2),
  carrierId: id,
});

export const ProductOwnershipTransferredV1 = z.strictObject({
  ...base,
  type: z.literal('product.ownershipTransferred'),
  version: z.literal(1),
  productId: id,
  fromOwnerId: id,
  toOwnerId: id,
});

/**
 * A supplier's certificate for a lot of material, recorded by the platform: a step of the lot's own ledger asset
 * (`lot:<lotId>`), which products printed from the lot name by its lot id. Certificates recorded after a product was
 * printed reach its memory this way. The issuer is the partner's opaque id; the document itself stays with whoever
 * holds it, the ledger keeps its hash.
 */
export const MaterialCertifiedV1 = z.strictObject({
  ...base,
  type: z.literal('material.certified'),
  version: z.literal(1),
  lotId: id,
  certificateId: id,
  issuerPartnerId: id,
  material: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'a material name (letters, digits and -)'),
  documentSha256: hex64,
  issuedAt: z.iso.datetime({ offset: true }),
});

export const LedgerEvent = z.discriminatedUnion('type', [
  DesignRegisteredV1,
  z.discriminatedUnion('version', [ProductPrintedV1, ProductPrintedV2]),
  ProductTaggedV1,
  ProductShippedV1,
  z.discriminatedUnion('version', [ProductDeliveredV1, ProductDeliveredV2]),
  ProductOwnershipTransferredV1,
  MaterialCertifiedV1,
]);
export type LedgerEvent = z.infer<typeof LedgerEvent>;
export type LedgerEventType = LedgerEvent['type'];

/** EventBridge envelope fields for ledger events: `source: dpm`, `detail-type: ledger.<type>`. */
export const ledgerEventSource = 'dpm';
export const ledgerDetailType = (type: LedgerEventType) => `ledger.${type}`;

export class InvalidLedgerEvent extends Error {
  override name = 'InvalidLedgerEvent';
}

/** Parses an event detail; the error names the event type and version and every field at fault. */
export function parseLedgerEvent(detail: unknown): LedgerEvent {
  const parsed = LedgerEvent.safeParse(detail);
  if (parsed.success) return parsed.data;
  const d = (detail ?? {}) as { type?: unknown; version?: unknown };
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
  throw new InvalidLedgerEvent(`Invalid ledger event ${String(d.type)} v${String(d.version)}: ${problems}`);
}
