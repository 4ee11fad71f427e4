// /designs/:designId: a design's public page: what it is, who made it, its price and licence terms (with the past
// versions), printability facts and the 3D preview, and the order: material, printer, the itemized quote, payment.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { LicenseTerms, publicView } from '../../../shared/designs/design';
import { call } from '../api/client';
import { AsyncView, Card, money, useAsync, when } from '../ui/kit';
import { Checkout } from './Checkout';
import { DesignPreview } from './DesignPreview';
import './customer.css';

export type DesignView = ReturnType<typeof publicView> & {
  boundingBox?: { size: [number, number, number] };
  volumeMm3?: number;
  massGrams?: Record<string, number>;
  triangleCount?: number;
  /** Present when the platform made a preview mesh at ingest. */
  preview?: { triangleCount: number };
};

export function DesignPage() {
  const { designId = '' } = useParams();
  const design = useAsync((signal) => call<DesignView, 'GET /designs/{designId}'>('GET /designs/{designId}', { params: { designId }, signal }), [designId]);
  return (
    <AsyncView state={design} label="Loading the design…">
      {(d) => (
        <>
          <p className="crumbs">
            <Link to="/designs">← All designs</Link>
          </p>
          <h1>{d.title}</h1>
          <p className="muted">
            By designer <span className="mono">{d.designerId}</span> · listed {when(d.createdAt)}
          </p>
          {d.status !== 'listed' && (
            <div className="notice" role="status">
              This design is no longer for sale.
            </div>
          )}
          <div className="design-layout">
            <div>
              <Card>
                <p className="price big">{money(d.terms.priceCents)}</p>
                {d.description ? <p className="pre">{d.description}</p> : <p className="muted">No description.</p>}
                {d.tags.length > 0 && (
                  <ul className="tags" aria-label="Tags">
                    {d.tags.map((t) => (
                      <li key={t} className="badge">
                        {t}
                      </li>
                    ))}
                  </ul>
                )}
              </Card>
              <DesignPreview designId={d.designId} title={d.title} hasPreview={!!d.preview} facts={{ size: d.boundingBox?.size, volumeMm3: d.volumeMm3, massGrams: d.massGrams, triangleCount: d.triangleCount }} />
              <LicenceTerms designId={d.designId} terms={d.terms} />
            </div>
            <div>{d.status === 'listed' && <Checkout design={d} />}</div>
          </div>
        </>
      )}
    </AsyncView>
  );
}

export function TermsList({ terms }: { terms: LicenseTerms }) {
  return (
    <dl className="facts">
      <dt>Price per print</dt>
      <dd>{money(terms.priceCents)}</dd>
      <dt>Edition</dt>
      <dd>at most {terms.editionSize.toLocaleString()} prints</dd>
      <dt>Materials</dt>
      <dd>{terms.allowedMaterials.join(', ')}</dd>
      <dt>Commercial use</dt>
      <dd>{terms.commercialUse ? 'Allowed: you may sell or use the print in a business' : 'Not allowed: personal use only'}</dd>
      <dt>Of the price, to the designer</dt>
      <dd>{money(terms.royaltyCents)}</dd>
    </dl>
  );
}

function LicenceTerms({ designId, terms }: { designId: string; terms: LicenseTerms }) {
  const [open, setOpen] = useState(false);
  return (
    <Card title={`Licence terms (version ${terms.version})`}>
      <p className="muted small">In force since {when(terms.createdAt)}. Ordering a print means accepting these terms.</p>
      <TermsList terms={terms} />
      {terms.version > 1 && (
        <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
          <summary>Past versions of the licence terms</summary>
          {open && <TermsHistory designId={designId} current={terms.version} />}
        </details>
      )}
    </Card>
  );
}

function TermsHistory({ designId, current }: { designId: string; current: number }) {
  const history = useAsync((signal) => call<LicenseTerms[], 'GET /designs/{designId}/terms'>('GET /designs/{designId}/terms', { params: { designId }, signal }), [designId]);
  return (
    <AsyncView state={history} label="Loading past versions…">
      {(all) => (
        <ol className="history" reversed>
          {all
            .filter((t) => t.version !== current)
            .reverse()
            .map((t) => (
              <li key={t.version}>
                <h3>
                  Version {t.version} <span className="muted small">from {when(t.createdAt)}</span>
                </h3>
                <TermsList terms={t} />
              </li>
            ))}
        </ol>
      )}
    </AsyncView>
  );
}
