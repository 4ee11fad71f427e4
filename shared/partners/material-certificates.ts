// Material certificates: a supplier vouches for a lot of material (a spool batch) with a certificate document, of which
// the platform keeps the hash, not the document. They arrive by the supplier's signed webhook or through its API key;
// both record the same way, idempotently on the supplier's own certificate id.
import { z } from 'zod';
import { materials } from '../designs/design.js';
import { Conflict } from '../errors.js';

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

/** Records a certificate once; the same one again is a no-op, another content under the same id is a conflict. */
export async function recordMaterialCertificate(
  input: MaterialCertificateInput & { issuerPartnerId: string; via: MaterialCertificate['via'] },
  deps: { certificates: MaterialCertificates; now: () => Date },
): Promise<{ certificate: MaterialCertificate; created: boolean }> {
  const certificate: MaterialCertificate = { ...input, recordedAt: deps.now().toISOString() };
  if (await deps.certificates.create(certificate)) return { certificate, created: true };
  const existing = await deps.certificates.get(input.issuerPartnerId, input.certificateId);
  if (!existing || !sameContent(existing, input)) throw new Conflict(`Certificate ${input.certificateId} was recorded with other content`);
  return { certificate: existing, created: false };
}
