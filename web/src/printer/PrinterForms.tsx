// The fields of a printer's configuration and terms, shared by registration and editing, with the same limits the
// API checks (shared/printers/printer.ts), so most mistakes are named beside their field before anything is sent.
import { useId } from 'react';
import type { BodyOf } from '../api/client';
import { Field, TextArea } from '../ui/kit';
import { materialOptions, type MyPrinterView } from './api';

export type ConfigBody = BodyOf<'PUT /printers/{printerId}/config'>;
export type TermsBody = BodyOf<'PUT /printers/{printerId}/terms'>;

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
      loadedMaterials: d.materials.map((m) => ({ type: m.type as (typeof materialOptions)[number], color: m.color.trim(), ...(m.lot.trim() ? { lotId: m.lot.trim() } : {}) })),
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

export function ConfigFields({ draft, onChange, errors }: { draft: ConfigDraft; onChange: (d: ConfigDraft) => void; errors: Errors }) {
  const set = <K extends keyof ConfigDraft>(k: K, v: ConfigDraft[K]) => onChange({ ...draft, [k]: v });
  const id = useId();
  return (
    <>
      <div className="printer-form-grid">
        <Field label="Printer name" value={draft.name} onChange={(e) => set('name', e.target.value)} error={errors.name} required minLength={3} maxLength={80} />
        <Field label="Region" hint="A city or region, for delivery estimates; never an address." value={draft.region} onChange={(e) => set('region', e.target.value)} error={errors.region} required />
        <Field label="Bed width (X, mm)" inputMode="decimal" value={draft.bedX} onChange={(e) => set('bedX', e.target.value)} error={errors.bedX} required />
        <Field label="Bed depth (Y, mm)" inputMode="decimal" value={draft.bedY} onChange={(e) => set('bedY', e.target.value)} error={errors.bedY} required />
        <Field label="Build height (Z, mm)" inputMode="decimal" value={draft.maxZ} onChange={(e) => set('maxZ', e.target.value)} error={errors.maxZ} required />
        <Field label="Nozzle diameter (mm)" inputMode="decimal" value={draft.nozzle} onChange={(e) => set('nozzle', e.target.value)} error={errors.nozzle} required />
      </div>
      <fieldset className="materials" aria-describedby={errors.materials ? `${id}-materials` : undefined}>
        <legend>Loaded materials</legend>
        {draft.materials.map((m, i) => (
          <div className="material-row" key={i}>
            <div className="field">
              <label htmlFor={`${id}-type-${i}`}>Material {i + 1}</label>
              <select id={`${id}-type-${i}`} value={m.type} onChange={(e) => set('materials', draft.materials.map((x, j) => (j === i ? { ...x, type: e.target.value } : x)))}>
                {materialOptions.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            </div>
            <Field
              label={`Colour of material ${i + 1}`}
              value={m.color}
              onChange={(e) => set('materials', draft.materials.map((x, j) => (j === i ? { ...x, color: e.target.value } : x)))}
              error={errors[`material-${i}-color`]}
            />
            <Field
              label={`Supplier lot of material ${i + 1} (optional)`}
              hint="As printed on the spool; its supplier's certificates then go with each print."
              value={m.lot}
              onChange={(e) => set('materials', draft.materials.map((x, j) => (j === i ? { ...x, lot: e.target.value } : x)))}
              error={errors[`material-${i}-lot`]}
            />
            <button type="button" className="btn btn-secondary" onClick={() => set('materials', draft.materials.filter((_, j) => j !== i))} disabled={draft.materials.length === 1}>
              Remove material {i + 1}
            </button>
          </div>
        ))}
        {errors.materials && (
          <small id={`${id}-materials`} className="field-error">
            {errors.materials}
          </small>
        )}
        <button type="button" className="btn btn-secondary" onClick={() => set('materials', [...draft.materials, { type: 'PLA', color: '', lot: '' }])} disabled={draft.materials.length >= 16}>
          Add a material
        </button>
      </fieldset>
      <div className="check">
        <input id={`${id}-approve`} type="checkbox" checked={draft.approveJobs} onChange={(e) => set('approveJobs', e.target.checked)} aria-describedby={`${id}-approve-hint`} />
        <label htmlFor={`${id}-approve`}>I approve each job before this printer takes it</label>
        <small id={`${id}-approve-hint`} className="hint">
          The printer then holds each offer until you accept or reject it here, for up to a day; otherwise it takes any job it can print.
        </small>
      </div>
    </>
  );
}

export function TermsFields({ draft, onChange, errors }: { draft: TermsDraft; onChange: (d: TermsDraft) => void; errors: Errors }) {
  const set = <K extends keyof TermsDraft>(k: K, v: TermsDraft[K]) => onChange({ ...draft, [k]: v });
  return (
    <>
      <div className="printer-form-grid">
        <Field label="Fee per started hour (€)" inputMode="decimal" value={draft.feePerHour} onChange={(e) => set('feePerHour', e.target.value)} error={errors.feePerHour} required />
        <Field label="Fee per gram of material (€)" inputMode="decimal" value={draft.feePerGram} onChange={(e) => set('feePerGram', e.target.value)} error={errors.feePerGram} required />
      </div>
      <TextArea label="What you promise and exclude (shown to customers)" rows={4} value={draft.text} onChange={(e) => set('text', e.target.value)} required aria-invalid={errors.text ? true : undefined} aria-describedby={errors.text ? 'terms-text-error' : undefined} />
      {errors.text && (
        <small id="terms-text-error" className="field-error block">
          {errors.text}
        </small>
      )}
    </>
  );
}
