// Pieces the designer pages share: the status badge, the printability report, the licence terms fields, stars, and the
// owner's 3D preview of a design.
import { useEffect, useState } from 'react';
import { apiUrl, authHeaders } from '../api/client';
import { Field, Loading, money } from '../ui/kit';
import { ModelViewer, NoPreview } from '../ui/viewer/ModelViewer';
import { materialOptions, statusLabels, type DesignStatus, type OwnerDesign, type LicenseTerms, type LicenseTermsInput, type Material, type PrintabilityReport } from './types';
import './designer.css';

export function StatusBadge({ status }: { status: DesignStatus }) {
  return <span className={`badge status-${status}`}>{statusLabels[status]}</span>;
}

const mm = (v: number) => v.toLocaleString(undefined, { maximumFractionDigits: 1 });
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** Every field of the report in words: the verdict, watertightness, size, volume, weight, the mesh, and each warning. */
export function PrintabilityReportView({ report, headingId = 'report-title' }: { report: PrintabilityReport; headingId?: string }) {
  const t = report.topology;
  const [x, y, z] = report.boundingBox.size;
  const solid = report.solid;
  const leaks = [
    t.boundaryEdges && plural(t.boundaryEdges, 'open edge'),
    t.nonManifoldEdges && plural(t.nonManifoldEdges, 'edge shared by more than two faces', 'edges shared by more than two faces'),
    t.flippedEdges && plural(t.flippedEdges, 'edge between flipped faces', 'edges between flipped faces'),
  ].filter(Boolean);
  return (
    <section className="report" aria-labelledby={headingId}>
      <h2 id={headingId}>Printability report</h2>
      <p className={report.printable ? 'verdict verdict-ok' : 'verdict verdict-bad'}>{report.printable ? 'Printable: nothing stops this mesh from being sliced as a closed solid.' : 'Not printable as it is.'}</p>
      <dl className="facts">
        <dt>Watertight</dt>
        <dd>{t.watertight ? 'Yes: every edge joins exactly two faces.' : `No: ${leaks.join(', ') || 'the surface is not closed'}.`}</dd>
        <dt>Size</dt>
        <dd>
          {mm(x)} × {mm(y)} × {mm(z)} mm <span className="muted">(width × depth × height)</span>
        </dd>
        <dt>Volume</dt>
        <dd>{solid.kind === 'solid' ? `${(solid.volumeMm3 / 1000).toLocaleString(undefined, { maximumFractionDigits: 2 })} cm³` : `Not measured: ${solid.reason}.`}</dd>
        {solid.kind === 'solid' && (
          <>
            <dt>Surface area</dt>
            <dd>{(solid.surfaceAreaMm2 / 100).toLocaleString(undefined, { maximumFractionDigits: 1 })} cm²</dd>
            <dt>Weight, printed solid</dt>
            <dd>
              <ul className="inline-list">
                {materialOptions
                  .filter(([m]) => solid.massGrams[m] !== undefined)
                  .map(([m]) => (
                    <li key={m}>
                      {m} {solid.massGrams[m].toLocaleString(undefined, { maximumFractionDigits: 1 })} g
                    </li>
                  ))}
              </ul>
            </dd>
            <dt>Holes through the part</dt>
            <dd>{solid.genus === 0 ? 'None' : solid.genus}</dd>
          </>
        )}
        <dt>Mesh</dt>
        <dd>
          {plural(t.triangles, 'triangle')}, {plural(t.vertices, 'vertex', 'vertices')}, {plural(t.parts, 'separate part')}
          {t.degenerateTriangles > 0 && `, ${plural(t.degenerateTriangles, 'degenerate triangle')}`}
        </dd>
        <dt>Warnings</dt>
        <dd>
          {report.problems.length ? (
            <ul className="warnings">
              {report.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : (
            'None'
          )}
        </dd>
      </dl>
    </section>
  );
}

/** Euros as typed (a comma or a point) to cents; NaN when it is not an amount. */
export function cents(text: string): number {
  const v = text.trim().replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(v)) return Number.NaN;
  return Math.round(Number(v) * 100);
}

export type TermsErrors = Partial<Record<'price' | 'royalty' | 'edition' | 'materials', string>>;

/** Reads the terms fields of a form; the errors say what to fix, field by field. */
export function termsFromForm(form: FormData): { terms?: LicenseTermsInput; errors: TermsErrors } {
  const errors: TermsErrors = {};
  const priceCents = cents(String(form.get('price') ?? ''));
  const royaltyCents = cents(String(form.get('royalty') ?? ''));
  const editionSize = Number(form.get('edition'));
  const allowedMaterials = form.getAll('materials').map(String) as Material[];
  if (Number.isNaN(priceCents)) errors.price = 'Enter the price in euros, for example 12.50.';
  else if (priceCents > 10_000_000) errors.price = 'The price can be at most €100,000.';
  if (Number.isNaN(royaltyCents)) errors.royalty = 'Enter your royalty in euros, for example 4.00.';
  else if (!errors.price && royaltyCents > priceCents) errors.royalty = 'Your royalty cannot be more than the price.';
  if (!Number.isInteger(editionSize) || editionSize < 1 || editionSize > 1_000_000) errors.edition = 'Enter a whole number of prints between 1 and 1,000,000.';
  if (!allowedMaterials.length) errors.materials = 'Choose at least one material.';
  if (Object.keys(errors).length) return { errors };
  return { terms: { priceCents, royaltyCents, editionSize, allowedMaterials, commercialUse: form.get('commercialUse') === 'on' }, errors };
}

const euros = (c: number) => (c / 100).toFixed(2);

/** The licence terms fields, filled with `initial` (a new design starts with sensible values). */
export function TermsFields({ initial, errors }: { initial?: LicenseTermsInput; errors: TermsErrors }) {
  const t = initial ?? { priceCents: 1500, royaltyCents: 500, editionSize: 100, allowedMaterials: ['PLA', 'PETG'] as Material[], commercialUse: false };
  return (
    <>
      <div className="row">
        <Field label="Price per print (€)" name="price" inputMode="decimal" required defaultValue={euros(t.priceCents)} error={errors.price} hint="What a customer pays for the licence of one print." />
        <Field label="Your royalty per print (€)" name="royalty" inputMode="decimal" required defaultValue={euros(t.royaltyCents)} error={errors.royalty} hint="Paid to you when a print is delivered; at most the price." />
        <Field label="Edition size (prints)" name="edition" type="number" min={1} max={1_000_000} step={1} required defaultValue={t.editionSize} error={errors.edition} />
      </div>
      <fieldset className="field materials" aria-describedby={errors.materials ? 'materials-error' : undefined}>
        <legend>Materials allowed</legend>
        {materialOptions.map(([m, name]) => (
          <label key={m} className="check">
            <input type="checkbox" name="materials" value={m} defaultChecked={t.allowedMaterials.includes(m)} /> {name}
          </label>
        ))}
        {errors.materials && (
          <small id="materials-error" className="field-error">
            {errors.materials}
          </small>
        )}
      </fieldset>
      <label className="check">
        <input type="checkbox" name="commercialUse" defaultChecked={t.commercialUse} /> Buyers may use prints commercially (sell them, use them in a business)
      </label>
    </>
  );
}

export function termsSummary(t: LicenseTerms | LicenseTermsInput): string {
  return `${money(t.priceCents)} per print, ${money(t.royaltyCents)} royalty, edition of ${t.editionSize.toLocaleString()}, ${t.allowedMaterials.join(', ')}, ${t.commercialUse ? 'commercial use allowed' : 'personal use only'}`;
}

export function Stars({ value, count }: { value: number; count?: number }) {
  const rounded = Math.round(value * 10) / 10;
  const label = count === undefined ? `${rounded} out of 5 stars` : count ? `${rounded} out of 5 stars from ${plural(count, 'rating')}` : 'No ratings yet';
  return (
    <span className="stars" role="img" aria-label={label} title={label}>
      {count === 0 ? '–' : `${'★'.repeat(Math.round(value))}${'☆'.repeat(5 - Math.round(value))}`}
      {count !== undefined && count > 0 && <span className="muted"> {rounded.toLocaleString()} ({count})</span>}
    </span>
  );
}

/**
 * The designer's own view of a design's preview, drafts and rejected uploads included (it needs their token). Without
 * a preview on record (designs ingested before previews existed) it says so without asking the API.
 */
export function OwnPreview({ design }: { design: OwnerDesign }) {
  const { designId, title } = design;
  const hasPreview = !!design.owner.preview;
  const [headers, setHeaders] = useState<Record<string, string>>();
  useEffect(() => {
    let live = true;
    void authHeaders().then((h) => live && setHeaders(h));
    return () => {
      live = false;
    };
  }, [designId]);
  if (!hasPreview) return <NoPreview message={design.status === 'rejected' ? 'The file could not be read, so there is nothing to draw.' : undefined} />;
  if (!headers) return <Loading label="Preparing the preview…" />;
  return <ModelViewer url={apiUrl(`/me/designs/${encodeURIComponent(designId)}/preview`)} headers={headers} label={`Preview of ${title}`} />;
}
