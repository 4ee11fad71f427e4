// The catalogue's filters and the page's address are one and the same: a search is shareable as a link, and the
// back button steps through searches. DOM-free, so it is unit-tested in node.

import type { Material } from '../../../shared/designs/printability.js';

// Typed against the platform's list, so a material added there fails this build until it is offered here.
export const materialChoices = ['PLA', 'PETG', 'ABS', 'ASA', 'TPU', 'PA'] as const satisfies readonly Material[];

export interface DesignFilters {
  q: string;
  material: string;
  /** Euros as typed (the API takes cents). */
  maxPrice: string;
  maxSizeMm: string;
}

export const noFilters: DesignFilters = { q: '', material: '', maxPrice: '', maxSizeMm: '' };

export function filtersFromQuery(params: URLSearchParams): DesignFilters {
  return { q: params.get('q') ?? '', material: params.get('material') ?? '', maxPrice: params.get('maxPrice') ?? '', maxSizeMm: params.get('maxSizeMm') ?? '' };
}

/** The address for these filters: empty ones are left out, so a plain /designs stays plain. */
export function queryFromFilters(f: DesignFilters): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of ['q', 'material', 'maxPrice', 'maxSizeMm'] as const) {
    const v = f[k].trim();
    if (v) out.set(k, v);
  }
  return out;
}

/** What is wrong with a filter, written for the person who typed it; none = the search may run. */
export function filterErrors(f: DesignFilters): Partial<Record<keyof DesignFilters, string>> {
  const errors: Partial<Record<keyof DesignFilters, string>> = {};
  const price = f.maxPrice.trim();
  if (price && !(/^\d+([.,]\d{1,2})?$/.test(price) && Number(price.replace(',', '.')) >= 0)) errors.maxPrice = 'Enter a price in euros, like 25 or 12.50.';
  const size = f.maxSizeMm.trim();
  if (size && !(/^\d+([.,]\d+)?$/.test(size) && Number(size.replace(',', '.')) > 0)) errors.maxSizeMm = 'Enter a size in millimetres greater than 0, like 150.';
  if (f.q.length > 200) errors.q = 'Use at most 200 characters.';
  if (f.material && !(materialChoices as readonly string[]).includes(f.material)) errors.material = `Choose one of ${materialChoices.join(', ')}.`;
  return errors;
}

/** The API's query for these (valid) filters and a page cursor. */
export function apiQuery(f: DesignFilters, cursor?: string): Record<string, string | number | undefined> {
  const price = f.maxPrice.trim();
  const size = f.maxSizeMm.trim();
  return {
    q: f.q.trim() || undefined,
    material: f.material || undefined,
    maxPriceCents: price ? Math.round(Number(price.replace(',', '.')) * 100) : undefined,
    maxSizeMm: size ? Number(size.replace(',', '.')) : undefined,
    limit: 12,
    cursor,
  };
}
