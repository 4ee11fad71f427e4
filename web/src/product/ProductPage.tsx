// The public product page a QR scan or an NFC tap opens (/01/<gtin>/21/<serial>?s=…[&uid&ctr&cmac]): the verdict,
// why, and the product's memory as a timeline with each step's ledger transaction. No login; the query string goes to
// the API exactly as the tag wrote it.
import { lazy, Suspense, useEffect, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { AsyncView, Button, Loading, useAsync, when } from '../ui/kit';
import type { ProductVerification } from '../../../shared/tags/verify-product';
import { checkLines, owners, shortId, stepText, verdictText } from './memory-view';
import { forgetVerification, verifyOnce, type Checked } from './verification';
import './product.css';

// The certificate draws a QR code (the qrcode package): loaded only when someone asks for it.
const Certificate = lazy(() => import('./Certificate'));

export function Component() {
  const { gtin = '', serial = '' } = useParams();
  const { search } = useLocation();
  const state = useAsync(() => verifyOnce(gtin, serial, search), [gtin, serial, search]);
  const [view, setView] = useState<'page' | 'certificate'>('page');
  return (
    <div className="product-page">
      <AsyncView state={state} label="Checking the product’s tag and its history on the ledger…">
        {(checked) =>
          view === 'certificate' ? (
            <Suspense fallback={<Loading label="Preparing the certificate…" />}>
              <Certificate checked={checked} onBack={() => setView('page')} />
            </Suspense>
          ) : (
            <ProductView
              checked={checked}
              onCertificate={() => setView('certificate')}
              onRecheck={() => {
                forgetVerification(gtin, serial, search);
                state.reload();
              }}
              rechecking={state.loading}
            />
          )
        }
      </AsyncView>
    </div>
  );
}

function ProductView({ checked, onCertificate, onRecheck, rechecking }: { checked: Checked; onCertificate(): void; onRecheck(): void; rechecking: boolean }) {
  const v = checked.verification;
  // The verdict names the tab too, for screen-reader users switching tabs and for the history list.
  useEffect(() => {
    document.title = `${verdictText(v.verdict).title} · product ${v.product.serial} · DPM`;
  }, [v]);
  const tapped = new URLSearchParams(useLocation().search).has('ctr');
  return (
    <>
      <Verdict v={v} checkedAt={checked.checkedAt} />
      <div className="actions no-print product-actions">
        <Button type="button" onClick={onCertificate}>
          Certificate of authenticity
        </Button>
        <Button type="button" variant="secondary" busy={rechecking} onClick={onRecheck}>
          Check again
        </Button>
        <Link to="/scan" className="btn btn-secondary">
          Scan another product
        </Link>
      </div>
      {tapped && (
        <p className="notice no-print">
          Each tap of the NFC tag is checked once. Checking this same address again will report a repeated counter: tap the tag itself for a fresh check.
        </p>
      )}
      <Identity v={v} />
      <Timeline memory={v.memory} />
    </>
  );
}

export function Verdict({ v, checkedAt }: { v: ProductVerification; checkedAt: Date }) {
  const t = verdictText(v.verdict);
  const lines = checkLines(v.checks);
  return (
    <section className={`verdict verdict-${t.tone}`} aria-labelledby="verdict-title" data-verdict={v.verdict}>
      <div className="verdict-head">
        <span className="verdict-icon" aria-hidden="true">
          {t.icon}
        </span>
        <div>
          <p className="verdict-kicker">Verdict</p>
          <h1 id="verdict-title">{t.title}</h1>
        </div>
      </div>
      <p className="verdict-summary">{t.summary}</p>
      <h2 className="why">Why</h2>
      <ul className="checks">
        {lines.map((l) => (
          <li key={l.label} className={l.passed === true ? 'check-pass' : l.passed === false ? 'check-fail' : 'check-neutral'}>
            <span className="check-mark" aria-hidden="true">
              {l.passed === true ? '✓' : l.passed === false ? '✕' : '–'}
            </span>
            <span>
              <strong>
                {l.label}: {l.passed === true ? 'passed' : l.passed === false ? 'failed' : 'not checked'}.
              </strong>{' '}
              {l.text}
            </span>
          </li>
        ))}
      </ul>
      {v.reasons.length > 0 && (
        <details className="reasons">
          <summary>What the platform reported</summary>
          <ul>
            {v.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </details>
      )}
      <p className="muted checked-at">Checked {checkedAt.toLocaleString()}</p>
    </section>
  );
}

function Identity({ v }: { v: ProductVerification }) {
  const chain = owners(v.memory);
  return (
    <section className="card" aria-labelledby="ids-title">
      <h2 id="ids-title">Product</h2>
      <dl className="ids">
        <dt>GTIN</dt>
        <dd>{v.product.gtin}</dd>
        <dt>Serial</dt>
        <dd>{v.product.serial}</dd>
        <dt>Product id</dt>
        <dd>{v.product.productId}</dd>
        {v.ledger && (
          <>
            <dt>Ledger asset</dt>
            <dd title={v.ledger.assetId}>{shortId(v.ledger.assetId)}</dd>
            <dt>Recorded steps</dt>
            <dd>{v.ledger.transactions}</dd>
          </>
        )}
        {chain.length > 0 && (
          <>
            <dt>Custody</dt>
            <dd>{chain.map((o) => shortId(o)).join(' → ')}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

function Timeline({ memory }: { memory: ProductVerification['memory'] }) {
  return (
    <section className="card" aria-labelledby="memory-title">
      <h2 id="memory-title">Product memory</h2>
      {memory.length === 0 ? (
        <p>Nothing about this product is on the ledger yet. A product’s history is recorded as it is printed, tagged and shipped.</p>
      ) : (
        <ol className="timeline">
          {memory.map((m) => {
            const s = stepText(m);
            return (
              <li key={m.txId} className="timeline-step" data-step={m.step}>
                <h3>{s.title}</h3>
                <p className="step-meta">
                  <time dateTime={m.occurredAt}>{when(m.occurredAt)}</time> · {s.who}
                </p>
                {s.facts.length > 0 && (
                  <dl className="facts">
                    {s.facts.map((f) => (
                      <div key={f.label}>
                        <dt>{f.label}</dt>
                        <dd>{f.value}</dd>
                      </div>
                    ))}
                  </dl>
                )}
                <a className="tx-link" href={m.url} target="_blank" rel="noopener noreferrer">
                  Ledger transaction {shortId(m.txId)}
                  <span className="visually-hidden"> ({s.title}, opens in a new tab)</span>
                </a>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
