// A printable certificate of authenticity: the verdict as checked, the product's ids, each ledger transaction and the
// product's QR code, drawn in the browser from its Digital Link (the printed code's, without a tap's NFC parameters).
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useLocation } from 'react-router';
import { Button, ErrorMessage, Loading, when } from '../ui/kit';
import { stepText, verdictText } from './memory-view';
import type { Checked } from './verification';

/** The link the product's printed QR code carries: this page's path with only its signature. */
export function printedLink(origin: string, pathname: string, search: string): string {
  const s = new URLSearchParams(search).get('s');
  return `${origin}${pathname}${s ? `?s=${encodeURIComponent(s)}` : ''}`;
}

export default function Certificate({ checked, onBack }: { checked: Checked; onBack(): void }) {
  const { verification: v, checkedAt } = checked;
  const { pathname, search } = useLocation();
  const link = printedLink(window.location.origin, pathname, search);
  const [qr, setQr] = useState<{ svg?: string; error?: unknown }>({});
  useEffect(() => {
    let live = true;
    QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then(
      (svg) => live && setQr({ svg }),
      (error: unknown) => live && setQr({ error }),
    );
    return () => {
      live = false;
    };
  }, [link]);
  const t = verdictText(v.verdict);
  return (
    <article className={`certificate verdict-${t.tone}`} aria-labelledby="certificate-title">
      <div className="actions no-print">
        <Button type="button" onClick={() => window.print()}>
          Print the certificate
        </Button>
        <Button type="button" variant="secondary" onClick={onBack}>
          Back to the product
        </Button>
      </div>
      <header className="certificate-head">
        <p className="certificate-issuer">DPM · Digital Product Memory</p>
        <h1 id="certificate-title">Certificate of authenticity</h1>
      </header>
      <div className="certificate-body">
        <div>
          <p className="certificate-verdict" data-verdict={v.verdict}>
            <span className="verdict-icon" aria-hidden="true">
              {t.icon}
            </span>{' '}
            {t.title}
          </p>
          <p>{t.summary}</p>
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
                <dd className="mono">{v.ledger.assetId}</dd>
              </>
            )}
            <dt>Signature</dt>
            <dd>{v.checks.signature ? 'valid' : 'invalid'}</dd>
            <dt>NFC tag</dt>
            <dd>{v.checks.tag}</dd>
            <dt>Ledger</dt>
            <dd>{v.checks.ledger}</dd>
            <dt>Date checked</dt>
            <dd>
              <time dateTime={checkedAt.toISOString()}>{checkedAt.toLocaleString()}</time>
            </dd>
          </dl>
        </div>
        <figure className="certificate-qr">
          {qr.svg ? (
            <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr.svg)}`} alt={`QR code of the product’s Digital Link ${link}`} width={180} height={180} />
          ) : qr.error ? (
            <ErrorMessage error={new Error('The QR code could not be drawn; the link below still identifies the product.')} />
          ) : (
            <Loading label="Drawing the QR code…" />
          )}
          <figcaption className="mono">{link}</figcaption>
        </figure>
      </div>
      <h2>Ledger transactions</h2>
      <table className="certificate-txs">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">When</th>
            <th scope="col">Transaction id</th>
          </tr>
        </thead>
        <tbody>
          {v.memory.map((m) => (
            <tr key={m.txId}>
              <td>{stepText(m).title}</td>
              <td>{when(m.occurredAt)}</td>
              <td className="mono">
                <a href={m.url}>{m.txId}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
