// A designer starts a design: terms first, then the browser uploads the STL straight to quarantine with a presigned PUT.
import { Conflict } from '../errors.js';
import { validateTerms, type Design, type DesignDraftInput } from './design.js';
import type { BlobStore, DesignStore } from './ports.js';

export const quarantineKey = (designId: string) => `quarantine/${designId}.stl`;
const uploadUrlSeconds = 15 * 60;

export async function createDesign(
  input: { designerId: string; draft: DesignDraftInput },
  deps: { designs: DesignStore; uploads: BlobStore; newId: () => string; now: () => Date },
): Promise<{ design: Design; upload: { url: string; method: 'PUT'; contentType: string; expiresInSeconds: number } }> {
  validateTerms(input.draft.terms);
  const now = deps.now().toISOString();
  const designId = deps.newId();
  const design: Design = {
    designId,
    designerId: input.designerId,
    title: input.draft.title,
    description: input.draft.description,
    tags: [...new Set(input.draft.tags)],
    terms: { ...input.draft.terms, version: 1, createdAt: now },
    status: 'awaiting-upload',
    createdAt: now,
    updatedAt: now,
    revision: 1,
  };
  if (!(await deps.designs.create(design))) throw new Conflict(`Design ${designId} already exists`);
  const contentType = 'model/stl';
  const url = await deps.uploads.presignUpload(quarantineKey(designId), { contentType, expiresInSeconds: uploadUrlSeconds });
  return { design, upload: { url, method: 'PUT', contentType, expiresInSeconds: uploadUrlSeconds } };
}
