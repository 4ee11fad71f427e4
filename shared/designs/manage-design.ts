// A designer's edits after listing: new terms versions, and withdrawal (the history stays, on the ledger and here).
import { Conflict, NotFound } from '../errors.js';
import { assertOwner, nextTerms, withdraw, type Design, type LicenseTerms, type LicenseTermsInput } from './design.js';
import type { DesignStore } from './ports.js';

async function ownDesign(designs: DesignStore, designId: string, designerId: string): Promise<Design> {
  const design = await designs.get(designId);
  if (!design) throw new NotFound(`No design ${designId}`);
  assertOwner(design, designerId);
  return design;
}

export async function updateDesignTerms(
  input: { designerId: string; designId: string; terms: LicenseTermsInput },
  deps: { designs: DesignStore; now: () => Date },
): Promise<Design> {
  const design = await ownDesign(deps.designs, input.designId, input.designerId);
  const now = deps.now().toISOString();
  const updated: Design = { ...design, terms: nextTerms(design, input.terms, now), updatedAt: now, revision: design.revision + 1 };
  if (!(await deps.designs.save(updated, design.revision))) throw new Conflict('The design was changed by another request; reload and retry');
  return updated;
}

export async function withdrawDesign(input: { designerId: string; designId: string }, deps: { designs: DesignStore; now: () => Date }): Promise<Design> {
  const design = await ownDesign(deps.designs, input.designId, input.designerId);
  if (design.status === 'withdrawn') return design;
  const updated = { ...withdraw(design, deps.now().toISOString()), revision: design.revision + 1 };
  if (!(await deps.designs.save(updated, design.revision))) throw new Conflict('The design was changed by another request; reload and retry');
  return updated;
}

export async function designTermsHistory(input: { designId: string }, deps: { designs: DesignStore }): Promise<LicenseTerms[]> {
  const design = await deps.designs.get(input.designId);
  // A draft's terms are as private as its page: the same answer as for an unknown design.
  if (!design || (design.status !== 'listed' && design.status !== 'withdrawn')) throw new NotFound(`No design ${input.designId}`);
  return deps.designs.termsHistory(input.designId);
}
