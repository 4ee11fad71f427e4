// The fields of a printer's configuration and terms, shared by registration and editing, with the same limits the
// API checks (shared/printers/printer.ts), so most mistakes are named beside their field before anything is sent.
import { useId } from 'react';
import { Field, TextArea } from '../ui/kit';
import { materialOptions } from './api';
import type { ConfigDraft, TermsDraft } from './printer-form';

export * from './printer-form';

type Errors = Record<string, string>;

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
