// The rules of a printer's configuration and terms forms, with the same limits the API checks
// (shared/printers/printer.ts), so most mistakes are named beside their field before anything is sent. Types only
// from the shared code, so the unit tests can load it under the server's module settings.
import type { z } from 'zod';
import type { MyPrinterView } from '../../../shared/printers/manage-printer.js';
import type { PrinterConfigInput, PrinterTermsInput } from '../../../shared/printers/printer.js';

/** The bodies of PUT /printers/{printerId}/config and /terms, as the API reads them. */
export type ConfigBody = z.input<typeof PrinterConfigInput>;
export type TermsBody = z.input<typeof PrinterTermsInput>;

export interface ConfigDraft {
  name: string;
  region: string;
  bedX: string;
  bedY: string;
  maxZ: string;
  nozzle: string;
  /** `lot`: the supplier's lot of the loaded spool, optional (its certificates then go on the ledger with each print). */
  materials: { type: string; color: string; lot: string }[];
  approveJobs: boolean;
}

export interface TermsDraft {
  feePerHour: string;
  feePerGram: string;
  text: string;
}

export const emptyConfig: ConfigDraft = { name: '', region: '', bedX: '220', bedY: '220', maxZ: '250', nozzle: '0.4', materials: [{ type: 'PLA', color: '', lot: '' }], approveJobs: false };
export const emptyTerms: TermsDraft = { feePerHour: '2.00', feePerGram: '0.05', text: '' };

export function configDraftOf(p: MyPrinterView): ConfigDraft {
  const c = p.config;
  return {
    name: c.name,
    region: c.region,
    bedX: String(c.profile.bed.x),
    bedY: String(c.profile.bed.y),
    maxZ: String(c.profile.maxZ),
    nozzle: String(c.profile.nozzleDiameter),
    materials: c.loadedMaterials.map((m) => ({ type: m.type, color: m.color, lot: m.lotId ?? '' })),
    approveJobs: c.approveJobs === true,
  };
}

export function termsDraftOf(p: MyPrinterView): TermsDraft {
  return { feePerHour: (p.terms.feePerHourCents / 100).toFixed(2), feePerGram: (p.terms.feePerGramCents / 100).toFixed(2), text: p.terms.text };
}

type Errors = Record<string, string>;

function measure(errors: Errors, key: string, raw: string, label: string, min: number, max: number): number {
  const v = Number(raw.replace(',', '.'));
  if (raw.trim() === '' || !Number.isFinite(v)) errors[key] = `${label} must be a number.`;
  else if (v < min || v > max) errors[key] = `${label} must be between ${min} and ${max} mm.`;
  return v;
}

/** The configuration to send, or what is wrong with the draft, by field. `base` keeps profile values this form does not show. */
export function checkConfig(d: ConfigDraft, base?: ConfigBody['profile']): { errors: Errors; body?: ConfigBody } {
  const errors: Errors = {};
  const name = d.name.trim();
  const region = d.region.trim();
  if (name.length < 3 || name.length > 80) errors.name = 'Give the printer a name of 3 to 80 characters.';
  if (region.length < 2 || region.length > 80) errors.region = 'Name a city or region (2 to 80 characters); never an address.';
  const bedX = measure(errors, 'bedX', d.bedX, 'Bed width', 1, 2000);
  const bedY = measure(errors, 'bedY', d.bedY, 'Bed depth', 1, 2000);
  const maxZ = measure(errors, 'maxZ', d.maxZ, 'Build height', 1, 2000);
  const nozzle = measure(errors, 'nozzle', d.nozzle, 'Nozzle diameter', 0.1, 2);
  if (d.materials.length === 0) errors.materials = 'Add at least one loaded material.';
  if (d.materials.length > 16) errors.materials = 'A printer lists at most 16 loaded materials.';
  d.materials.forEach((m, i) => {
    if (!m.color.trim()) errors[`material-${i}-color`] = 'Name the colour (for example “black”).';
    else if (m.color.trim().length > 40) errors[`material-${i}-color`] = 'At most 40 characters.';
    const lot = m.lot.trim();
    if (lot && (lot.length > 128 || !/^[A-Za-z0-9._:-]+$/.test(lot))) errors[`material-${i}-lot`] = 'The lot as the supplier writes it: up to 128 letters, digits and . _ : -';
  });
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    body: {
      name,
      region,
      profile: { ...(base ?? {}), bed: { x: bedX, y: bedY }, maxZ, nozzleDiameter: nozzle },
      loadedMaterials: d.materials.map((m) => ({ type: m.type as ConfigBody['loadedMaterials'][number]['type'], color: m.color.trim(), ...(m.lot.trim() ? { lotId: m.lot.trim() } : {}) })),
      approveJobs: d.approveJobs,
    },
  };
}

export function checkTerms(d: TermsDraft): { errors: Errors; body?: TermsBody } {
  const errors: Errors = {};
  const euros = (raw: string, key: string, label: string, max: number) => {
    const v = Number(raw.replace(',', '.'));
    if (raw.trim() === '' || !Number.isFinite(v) || v < 0) errors[key] = `${label} must be an amount in euros, 0 or more.`;
    else if (v > max) errors[key] = `${label} may be at most €${max}.`;
    else if (Math.abs(v * 100 - Math.round(v * 100)) > 1e-6) errors[key] = `${label}: whole cents only (two decimals).`;
    return Math.round(v * 100);
  };
  const feePerHourCents = euros(d.feePerHour, 'feePerHour', 'The hourly fee', 1000);
  const feePerGramCents = euros(d.feePerGram, 'feePerGram', 'The fee per gram', 100);
  const text = d.text.trim();
  if (text.length < 10) errors.text = 'Say in at least 10 characters what you promise and what you exclude.';
  if (text.length > 5000) errors.text = 'At most 5,000 characters.';
  return Object.keys(errors).length ? { errors } : { errors, body: { feePerHourCents, feePerGramCents, text } };
}

/** The API's field paths (zod's, under `prefix`) as this form's field keys. */
export function configFieldOf(path: string, prefix = ''): string | undefined {
  if (prefix && !path.startsWith(prefix)) return undefined;
  const p = path.slice(prefix.length);
  const known: Record<string, string> = { name: 'name', region: 'region', 'profile.bed.x': 'bedX', 'profile.bed.y': 'bedY', 'profile.maxZ': 'maxZ', 'profile.nozzleDiameter': 'nozzle', loadedMaterials: 'materials' };
  if (known[p]) return known[p];
  const m = /^loadedMaterials\.(\d+)\.(color|lotId)$/.exec(p);
  return m ? `material-${m[1]}-${m[2] === 'lotId' ? 'lot' : 'color'}` : undefined;
}

export function termsFieldOf(path: string, prefix = ''): string | undefined {
  if (prefix && !path.startsWith(prefix)) return undefined;
  const p = path.slice(prefix.length);
  return ({ feePerHourCents: 'feePerHour', feePerGramCents: 'feePerGram', text: 'text' } as Record<string, string>)[p];
}
