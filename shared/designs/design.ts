// A design and its license terms. The STL itself never appears here: only its fingerprint and where the sealed copy is.
import { z } from 'zod';
import { Conflict, Forbidden, RuleViolation } from '../errors.js';
import type { StoredPreview } from './preview.js';
import { materialDensity, type Material, type PrintabilityReport } from './printability.js';

export const materials = Object.keys(materialDensity) as [Material, ...Material[]];

export const LicenseTermsInput = z.strictObject({
  /** Price of one licensed print of the design, in euro cents. */
  priceCents: z.number().int().min(0).max(10_000_000),
  /** The designer's royalty per print, in euro cents; at most the price. */
  royaltyCents: z.number().int().min(0).max(10_000_000),
  /** Maximum number of licensed prints (the edition size). */
  editionSize: z.number().int().min(1).max(1_000_000),
  allowedMaterials: z.array(z.enum(materials)).min(1).max(materials.length),
  commercialUse: z.boolean(),
});
export type LicenseTermsInput = z.infer<typeof LicenseTermsInput>;

export interface LicenseTerms extends LicenseTermsInput {
  version: number;
  createdAt: string;
}

export const DesignDraftInput = z.strictObject({
  title: z.string().trim().min(3).max(120),
  description: z.string().trim().max(4000).default(''),
  tags: z.array(z.string().trim().toLowerCase().min(1).max(40)).max(20).default([]),
  terms: LicenseTermsInput,
});
export type DesignDraftInput = z.infer<typeof DesignDraftInput>;

export type Design =
  | (DesignBase & { status: 'awaiting-upload' })
  | (DesignBase & { status: 'rejected'; rejection: { reason: string; report?: PrintabilityReport } })
  | (DesignBase & { status: 'listed'; stl: StoredStl; report: PrintabilityReport })
  | (DesignBase & { status: 'withdrawn'; stl: StoredStl; report: PrintabilityReport; withdrawnAt: string });

interface DesignBase {
  designId: string;
  designerId: string;
  title: string;
  description: string;
  tags: string[];
  terms: LicenseTerms;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency counter of the design record. */
  revision: number;
  /** The reduced mesh the 3D viewer shows, made at ingest (absent for designs ingested before previews existed). */
  preview?: StoredPreview;
}

export interface StoredStl {
  /** SHA-256 of the uploaded STL bytes, hex: what the ledger records. */
  fingerprint: string;
  format: 'binary' | 'ascii';
  sizeBytes: number;
  triangleCount: number;
  /** Object key of the sealed (encrypted) STL. */
  sealedKey: string;
}

export function validateTerms(terms: LicenseTermsInput): void {
  if (terms.royaltyCents > terms.priceCents) {
    throw new RuleViolation(`The royalty (${terms.royaltyCents} cents) cannot exceed the price (${terms.priceCents} cents)`);
  }
}

export function assertOwner(design: Design, designerId: string): void {
  // The same answer as for a missing design would leak less, but designers need to know why an edit failed.
  if (design.designerId !== designerId) throw new Forbidden('Only the design’s designer may change it');
}

/** Editing terms makes a new version; earlier versions stay, because licenses already sold refer to them. */
export function nextTerms(design: Design, input: LicenseTermsInput, now: string): LicenseTerms {
  if (design.status === 'withdrawn') throw new Conflict('A withdrawn design cannot take new terms');
  validateTerms(input);
  return { ...input, version: design.terms.version + 1, createdAt: now };
}

export function withdraw(design: Design, now: string): Design {
  if (design.status !== 'listed') throw new Conflict(`Only a listed design can be withdrawn (this one is ${design.status})`);
  return { ...design, status: 'withdrawn', withdrawnAt: now, updatedAt: now };
}

/** What anyone may see of a design: never where the sealed STL is, never the raw report for unlisted designs. */
export function publicView(design: Design) {
  const base = {
    designId: design.designId,
    designerId: design.designerId,
    title: design.title,
    description: design.description,
    tags: design.tags,
    terms: design.terms,
    status: design.status,
    createdAt: design.createdAt,
  };
  if (design.status !== 'listed' && design.status !== 'withdrawn') return base;
  return {
    ...base,
    preview: previewView(design.preview),
    fingerprint: design.stl.fingerprint,
    triangleCount: design.stl.triangleCount,
    boundingBox: design.report.boundingBox,
    volumeMm3: design.report.solid.kind === 'solid' ? design.report.solid.volumeMm3 : undefined,
    massGrams: design.report.solid.kind === 'solid' ? design.report.solid.massGrams : undefined,
  };
}

/** Whether a design has a preview, and how detailed it is; never where it is stored. */
function previewView(preview: StoredPreview | undefined) {
  return preview ? { triangleCount: preview.triangleCount, sizeBytes: preview.sizeBytes, gridCells: preview.gridCells } : undefined;
}

/** The designer sees their own drafts, rejections and reports, but not where the sealed file or the preview is stored. */
export function ownerView(design: Design) {
  const { stl, preview, ...mine } = design as Design & { stl?: StoredStl };
  const stlView = stl ? { fingerprint: stl.fingerprint, format: stl.format, sizeBytes: stl.sizeBytes, triangleCount: stl.triangleCount } : undefined;
  return { ...publicView(design), owner: { ...mine, stl: stlView, preview: previewView(preview) } };
}

export interface DesignSearch {
  text?: string;
  material?: Material;
  maxPriceCents?: number;
  /** Largest extent of the part's bounding box, mm. */
  maxSizeMm?: number;
  limit: number;
  cursor?: string;
}

/** Ranked text match over title, tags and description: every query word must appear; title hits weigh most. */
export function searchScore(design: Design, words: readonly string[]): number {
  if (!words.length) return 1;
  const title = design.title.toLowerCase();
  const tags = design.tags.join(' ');
  const description = design.description.toLowerCase();
  let score = 0;
  for (const w of words) {
    const s = (title.includes(w) ? 3 : 0) + (tags.includes(w) ? 2 : 0) + (description.includes(w) ? 1 : 0);
    if (s === 0) return 0;
    score += s;
  }
  return score;
}

export function matchesFilters(design: Design, q: DesignSearch): design is Extract<Design, { status: 'listed' }> {
  if (design.status !== 'listed') return false;
  if (q.material && !design.terms.allowedMaterials.includes(q.material)) return false;
  if (q.maxPriceCents !== undefined && design.terms.priceCents > q.maxPriceCents) return false;
  if (q.maxSizeMm !== undefined && Math.max(...design.report.boundingBox.size) > q.maxSizeMm) return false;
  return true;
}

export function searchWords(text: string | undefined): string[] {
  return (text ?? '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 10);
}
