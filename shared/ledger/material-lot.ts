// How a product's memory reaches the certificates of the material lot it was printed from, from ledger data alone.
// The product's CREATE names the lot (`materialLot`); the lot's own asset (docs/ledger-model.md) collects a step per
// certificate, including those recorded after the product was printed. The link is checked, not trusted: the lot's
// asset must carry the lot id and be created by the key that created the product. Anyone can write an asset that
// claims to be a lot, but only the platform's key signs the platform's products.
import { lotSearchKey } from './ledger-model.js';
import type { StoryStep } from './verify-history.js';

/** A certificate as a lot's step carries it: ids, the document's hash and dates. */
export interface LotCertificate {
  lotId: string;
  certificateId: string;
  issuerPartnerId: string;
  material: string;
  documentSha256: string;
  issuedAt: string;
}

/** The lot a product's CREATE data names, if it names one. */
export function lotOf(productData: Record<string, unknown> | null | undefined): string | undefined {
  const lot = productData?.materialLot;
  return typeof lot === 'string' && lot ? lot : undefined;
}

/** Whether an asset's data claims to be this lot's asset; who created it is checked with `lotLinkProblems`. */
export function claimsLot(data: Record<string, unknown> | null | undefined, lotId: string): boolean {
  return data?.dpm === 'lot' && data.lotId === lotId && data.lotSearchKey === lotSearchKey(lotId);
}

/** What is wrong with a lot asset as the lot of a product: empty when the lot is the product's, created by its creator. */
export function lotLinkProblems(link: { lotId: string; productCreator?: string }, lot: { data?: Record<string, unknown> | null; createdBy?: string }): string[] {
  const problems: string[] = [];
  if (!claimsLot(lot.data, link.lotId)) problems.push(`the lot asset is not the asset of lot ${link.lotId}`);
  if (!lot.createdBy || lot.createdBy !== link.productCreator) problems.push(`the lot asset was created by ${lot.createdBy ?? 'nobody'}, not by the product's creator ${link.productCreator ?? '?'}`);
  return problems;
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** A lot step's certificate, or undefined for a step that is not one. */
export function certificateOf(step: Pick<StoryStep, 'step' | 'details'>): LotCertificate | undefined {
  if (step.step !== 'material.certified') return undefined;
  const d = step.details;
  const [lotId, certificateId, issuerPartnerId, material, documentSha256, issuedAt] = [d.lotId, d.certificateId, d.issuerPartnerId, d.material, d.documentSha256, d.issuedAt].map(text);
  if (!lotId || !certificateId || !issuerPartnerId || !material || !documentSha256 || !issuedAt) return undefined;
  return { lotId, certificateId, issuerPartnerId, material, documentSha256, issuedAt };
}

const keyOf = (c: { issuerPartnerId?: unknown; certificateId?: unknown }) => `${String(c.issuerPartnerId)}/${String(c.certificateId)}`;

/**
 * Which of a lot's certificates vouch for a product. A lot id may carry certificates for several materials (another
 * supplier's lot of the same name); the product's ledger record does not say its material, but the certificates it
 * was printed with were chosen for its material, and the lot's steps say theirs. So: the lot's certificates of those
 * materials, or all of them when the product was printed before any certificate of its lot was on the ledger (each
 * then shows its material for the reader to judge).
 */
export function certificatesForProduct<C extends { certificate: LotCertificate }>(printTime: unknown, lot: readonly C[]): C[] {
  const printed = new Set((Array.isArray(printTime) ? (printTime as Record<string, unknown>[]) : []).map(keyOf));
  const materials = new Set(lot.filter((c) => printed.has(keyOf(c.certificate))).map((c) => c.certificate.material));
  return materials.size ? lot.filter((c) => materials.has(c.certificate.material)) : [...lot];
}
