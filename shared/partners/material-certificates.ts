// Material certificates: a supplier vouches for a lot of material (a spool batch) with a certificate document, of which
// the platform keeps the hash, not the document. They arrive by the supplier's signed webhook or through its API key;
// both record the same way, idempotently on the supplier's own certificate id. Each certificate also becomes a step of
// the lot's ledger asset (docs/ledger-model.md), so products printed from the lot before it came still show it.
import { z } from 'zod';
import type { LedgerEvent } from '../../events/ledger-events.js';
import { materials } from '../designs/design.js';
import { Conflict } from '../errors.js';
import { certificateEventId, lotAssetKey } from '../ledger/ledger-model.js';
import type { LedgerEvents } from '../orders/ports.js';

const ref = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : -');

export const MaterialCertificateInput = z.strictObject({
  /** The supplier's own id of the certificate: sending it again is a retry. */
  certificateId: ref,
  lotId: ref,
  material: z.enum(materials),
  /** SHA-256 of the certificate document (a PDF, say), hex. */
  documentSha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest'),
  issuedAt: z.iso.datetime({ offset: true }),
});
export type MaterialCertificateInput = z.infer<typeof MaterialCertificateInput>;

export interface MaterialCertificate extends MaterialCertificateInput {
  issuerPartnerId: string;
  via: 'webhook' | 'api';
  recordedAt: string;
}

export interface MaterialCertificates {
  /** False if the issuer already recorded a certificate with this id. */
  create(c: MaterialCertificate): Promise<boolean>;
  get(issuerPartnerId: string, certificateId: string): Promise<MaterialCertificate | undefined>;
  listByLot(lotId: string): Promise<MaterialCertificate[]>;
}

const sameContent = (a: MaterialCertificateInput, b: MaterialCertificateInput) =>
  a.lotId === b.lotId && a.material === b.material && a.documentSha256 === b.documentSha256 && a.issuedAt === b.issuedAt;

/** The lot's ledger step for a recorded certificate: ids, the document's hash and dates only, the same on every retry. */
export function certifiedEvent(c: MaterialCertificate): LedgerEvent {
  return {
    type: 'material.certified',
    version: 1,
    eventId: certificateEventId(c.issuerPartnerId, c.certificateId),
    // When it was recorded, from the stored record: a re-published event must not differ from the first.
    occurredAt: c.recordedAt,
    assetKey: lotAssetKey(c.lotId),
    lotId: c.lotId,
    certificateId: c.certificateId,
    issuerPartnerId: c.issuerPartnerId,
    material: c.material,
    documentSha256: c.documentSha256,
    issuedAt: c.issuedAt,
  };
}

/**
 * Records a certificate once; the same one again is a no-op, another content under the same id is a conflict. The
 * lot's ledger step is published on every acceptance, a repeat included: a sender retries when an earlier attempt
 * failed, perhaps after the record was written and before the event left. The event id is derived from the
 * certificate, so the queue and the ledger writer drop the copies and the ledger gets one step.
 */
export async function recordMaterialCertificate(
  input: MaterialCertificateInput & { issuerPartnerId: string; via: MaterialCertificate['via'] },
  deps: { certificates: MaterialCertificates; events: LedgerEvents; now: () => Date },
): Promise<{ certificate: MaterialCertificate; created: boolean }> {
  const fresh: MaterialCertificate = { ...input, recordedAt: deps.now().toISOString() };
  const created = await deps.certificates.create(fresh);
  const certificate = created ? fresh : await deps.certificates.get(input.issuerPartnerId, input.certificateId);
  if (!certificate || (!created && !sameContent(certificate, input))) throw new Conflict(`Certificate ${input.certificateId} was recorded with other content`);
  await deps.events.publish(certifiedEvent(certificate));
  return { certificate, created };
}
