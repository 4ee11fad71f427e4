// Catalogue search: text plus filters, ranked, with an opaque cursor. The catalogue is read page by page from the
// store and matched here, which is simple and exact; a search index takes over when the catalogue outgrows it.
import { InvalidInput, NotFound } from '../errors.js';
import { matchesFilters, ownerView, publicView, searchScore, searchWords, type Design, type DesignSearch } from './design.js';
import type { DesignStore } from './ports.js';

const scanPage = 200;
const maxScanned = 10_000;

export async function searchDesigns(q: DesignSearch, deps: { designs: DesignStore }) {
  const offset = decodeCursor(q.cursor);
  const words = searchWords(q.text);
  const hits: { design: Design; score: number }[] = [];
  let after: string | undefined;
  let scanned = 0;
  do {
    const page = await deps.designs.catalogue(scanPage, after);
    for (const d of page.designs) {
      if (!matchesFilters(d, q)) continue;
      const score = searchScore(d, words);
      if (score > 0) hits.push({ design: d, score });
    }
    scanned += page.designs.length;
    after = page.next;
  } while (after && scanned < maxScanned);
  // Stable order: score, then newest first (the catalogue's own order).
  const ranked = hits.map((h, i) => ({ ...h, i })).sort((a, b) => b.score - a.score || a.i - b.i);
  const items = ranked.slice(offset, offset + q.limit).map((h) => publicView(h.design));
  const nextOffset = offset + items.length;
  return { items, total: ranked.length, next: nextOffset < ranked.length ? encodeCursor(nextOffset) : undefined };
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { o: unknown };
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through to the error below
  }
  throw new InvalidInput('The cursor is not valid; start the search again without it');
}

export async function getDesign(input: { designId: string; callerId?: string }, deps: { designs: DesignStore }) {
  const design = await deps.designs.get(input.designId);
  const own = design && design.designerId === input.callerId;
  // Drafts and rejected designs are invisible to everyone but their designer: same answer as a missing design.
  if (!design || (!own && design.status !== 'listed' && design.status !== 'withdrawn')) throw new NotFound(`No design ${input.designId}`);
  return own ? ownerView(design) : publicView(design);
}


/** A designer's own designs, with how many prints each edition has given out (`edition.sold` of `terms.editionSize`). */
export async function listMyDesigns(input: { designerId: string }, deps: { designs: DesignStore }) {
  const designs = await deps.designs.listByDesigner(input.designerId);
  const editions = await deps.designs.editionCounts(designs.map((d) => d.designId));
  return designs.map((d) => ({ ...ownerView(d), edition: { sold: 0, issued: 0, ...editions.get(d.designId), size: d.terms.editionSize } }));
}
