// The uploaded STL leaves quarantine: parsed, checked, fingerprinted, sealed under its own data key, and registered.
// A reduced preview for the 3D viewer is made from the parsed mesh (shared/designs/preview.ts), for rejected meshes
// too, so their designer can see what was refused. Safe to retry at any point: the sealed copy and the preview are
// written before the record, the event is re-published on a retry (the ledger writer drops duplicates), and the
// quarantined plaintext is deleted last.
import { createHash } from 'node:crypto';
import { seal, type DataKeys } from '../crypto/envelope.js';
import { Conflict, NotFound, RuleViolation } from '../errors.js';
import { assertOwner, type Design, type LicenseTerms } from './design.js';
import { quarantineKey } from './create-design.js';
import type { BlobStore, DesignEvents, DesignStore } from './ports.js';
import { storePreview, type StoredPreview } from './preview.js';
import { checkPrintability, type PrintabilityReport } from './printability.js';
import { InvalidStl, parseStl } from './stl.js';

export const maxStlBytes = 100 * 1024 * 1024;
export const sealedStlKey = (designId: string) => `designs/${designId}/design.stl.sealed`;
export const designContext = (designId: string) => ({ designId, purpose: 'design-stl' });

export function termsHash(terms: LicenseTerms): string {
  const { createdAt: _c, ...content } = terms;
  const canonical = JSON.stringify(Object.keys(content).sort().map((k) => [k, content[k as keyof typeof content]]));
  return createHash('sha256').update(canonical).digest('hex');
}

export interface IngestDeps {
  designs: DesignStore;
  uploads: BlobStore;
  sealedFiles: BlobStore;
  /** Where previews go: their own bucket, so the function that serves them never reads a sealed design. */
  previews: BlobStore;
  dataKeys: DataKeys;
  events: DesignEvents;
  now: () => Date;
}

export async function ingestDesign(input: { designerId: string; designId: string }, deps: IngestDeps): Promise<Design> {
  const design = await deps.designs.get(input.designId);
  if (!design) throw new NotFound(`No design ${input.designId}`);
  assertOwner(design, input.designerId);
  if (design.status === 'listed') {
    await publishRegistered(design, deps);
    await deps.uploads.delete(quarantineKey(design.designId));
    return design;
  }
  if (design.status === 'withdrawn') throw new Conflict('The design was withdrawn');

  const key = quarantineKey(design.designId);
  const size = await deps.uploads.size(key);
  if (size === undefined) throw new RuleViolation('No upload found for this design: PUT the STL to the upload URL first');
  if (size > maxStlBytes) {
    await deps.uploads.delete(key);
    return reject(design, `The STL file is ${size} bytes; the limit is ${maxStlBytes} bytes`, deps);
  }
  const bytes = await deps.uploads.get(key);
  if (!bytes) throw new RuleViolation('The upload disappeared during ingest; upload it again');

  let parsed;
  try {
    parsed = parseStl(bytes, { maxBytes: maxStlBytes });
  } catch (err) {
    if (!(err instanceof InvalidStl)) throw err;
    await deps.uploads.delete(key);
    return reject(design, err.message, deps);
  }
  const report = await checkPrintability(parsed.positions);
  const preview = await storePreview(design.designId, parsed.positions, deps);
  if (!report.printable) {
    await deps.uploads.delete(key);
    return reject(design, `The design is not printable: ${report.problems.join('; ')}`, deps, report, preview);
  }

  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  const sealedKey = sealedStlKey(design.designId);
  await deps.sealedFiles.put(sealedKey, await seal(bytes, deps.dataKeys, designContext(design.designId)), 'application/octet-stream');
  bytes.fill(0);
  const listed: Design = {
    ...design,
    status: 'listed',
    stl: { fingerprint, format: parsed.format, sizeBytes: size, triangleCount: parsed.triangleCount, sealedKey },
    report,
    ...(preview ? { preview } : {}),
    updatedAt: deps.now().toISOString(),
    revision: design.revision + 1,
  };
  if (!(await deps.designs.save(listed, design.revision))) {
    // A concurrent ingest won; its result is the design's state.
    const current = await deps.designs.get(design.designId);
    if (current?.status === 'listed') return current;
    throw new Conflict('The design changed during ingest; retry');
  }
  await publishRegistered(listed, deps);
  await deps.uploads.delete(key);
  return listed;
}

async function reject(design: Design, reason: string, deps: IngestDeps, report?: PrintabilityReport, preview?: StoredPreview): Promise<Design> {
  const rejected: Design = {
    ...design,
    status: 'rejected',
    rejection: { reason, report },
    ...(preview ? { preview } : {}),
    updatedAt: deps.now().toISOString(),
    revision: design.revision + 1,
  };
  if (!(await deps.designs.save(rejected, design.revision))) throw new Conflict('The design changed during ingest; retry');
  return rejected;
}

async function publishRegistered(design: Extract<Design, { status: 'listed' }>, deps: IngestDeps): Promise<void> {
  await deps.events.designRegistered({
    designId: design.designId,
    designerId: design.designerId,
    fingerprint: design.stl.fingerprint,
    licenseTermsHash: termsHash(design.terms),
    termsVersion: design.terms.version,
    occurredAt: design.updatedAt,
  });
}
