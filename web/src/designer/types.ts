// What the designer pages get from the API, as the domain's own types (imported for types only: nothing of the
// server reaches the bundle).
import type { LicenseTerms, LicenseTermsInput } from '../../../shared/designs/design';
import type { Material, PrintabilityReport } from '../../../shared/designs/printability';
import type { listMyDesigns } from '../../../shared/designs/search-designs';
import type { createDesign } from '../../../shared/designs/create-design';
import type { ownerView } from '../../../shared/designs/design';
import type { designerFeedback } from '../../../shared/orders/ratings';
import type { paymentHistory } from '../../../shared/payments/accounting';

export type { LicenseTerms, LicenseTermsInput, Material, PrintabilityReport };

/** One of the caller's designs (GET /me/designs), with the prints its edition has given out. */
export type MyDesign = Awaited<ReturnType<typeof listMyDesigns>>[number];
/** What the design routes answer the owner (POST /designs, ingest, terms, withdraw). */
export type OwnerDesign = ReturnType<typeof ownerView>;
export type DesignStatus = OwnerDesign['status'];
export type CreatedDesign = { design: OwnerDesign; upload: Awaited<ReturnType<typeof createDesign>>['upload'] };
/** GET /me/payments: the caller's accounts with their statements. */
export type Accounts = Awaited<ReturnType<typeof paymentHistory>>;
/** GET /me/ratings. */
export type Feedback = Awaited<ReturnType<typeof designerFeedback>>;

/** Every material a design may allow, in the order the forms list them (the record makes the compiler check it is all of them). */
const materialNames: Record<Material, string> = { PLA: 'PLA', PETG: 'PETG', ABS: 'ABS', ASA: 'ASA', TPU: 'TPU (flexible)', PA: 'PA (nylon)' };
export const materialOptions = Object.entries(materialNames) as [Material, string][];

/** The largest STL the platform ingests (shared/designs/ingest-design.ts). */
export const maxStlBytes = 100 * 1024 * 1024;

export const statusLabels: Record<DesignStatus, string> = {
  'awaiting-upload': 'Waiting for its file',
  rejected: 'Rejected',
  listed: 'Listed',
  withdrawn: 'Withdrawn',
};
