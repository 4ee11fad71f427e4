// /designer/designs/:designId: a design's page for its designer. Status, preview and printability report, prints sold,
// ratings received, the licence terms with every past version (GET /designs/{id}/terms) and a form for a new version
// (PUT /designs/{id}/terms), and withdrawal from sale (DELETE /designs/{id}) after a confirmation.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, call } from '../api/client';
import { RequireRole } from '../app/guards';
import { AsyncView, Button, Card, ErrorMessage, money, useAsync, when } from '../ui/kit';
import { NoPreview } from '../ui/viewer/ModelViewer';
import { OwnPreview, PrintabilityReportView, StatusBadge, Stars, TermsFields, termsFromForm, termsSummary, type TermsErrors } from './parts';
import type { Feedback, LicenseTerms, MyDesign } from './types';

export function DesignPage() {
  return (
    <RequireRole roles={['designer']}>
      <OwnDesign />
    </RequireRole>
  );
}

function OwnDesign() {
  const { designId = '' } = useParams();
  // The caller's own list holds drafts and rejections too, with the prints sold; the public page shows neither.
  const designs = useAsync((signal) => call<MyDesign[]>('GET /me/designs', { signal }), [designId]);
  return (
    <AsyncView state={designs} label="Loading the design…">
      {(list) => {
        const design = list.find((d) => d.designId === designId);
        if (!design) {
          return (
            <div className="card">
              <h1>Design not found</h1>
              <p>
                None of your designs has this address. It may belong to another account. <Link to="/designer">Back to your designs</Link>.
              </p>
            </div>
          );
        }
        return <Loaded design={design} reload={designs.reload} />;
      }}
    </AsyncView>
  );
}

function Loaded({ design, reload }: { design: MyDesign; reload: () => void }) {
  const owner = design.owner;
  const report = owner.status === 'listed' || owner.status === 'withdrawn' ? owner.report : owner.status === 'rejected' ? owner.rejection.report : undefined;
  const hasFile = owner.status !== 'awaiting-upload';
  const [notice, setNotice] = useState<string>();
  return (
    <>
      <p className="crumbs">
        <Link to="/designer">Your designs</Link> › {design.title}
      </p>
      <div className="page-head">
        <h1>
          {design.title} <StatusBadge status={design.status} />
        </h1>
        {owner.status === 'listed' && (
          <Link className="btn btn-secondary" to={`/designs/${design.designId}`}>
            See the public page
          </Link>
        )}
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {owner.status === 'rejected' && (
        <div className="error">
          <span>Not accepted: {owner.rejection.reason}</span>
        </div>
      )}
      {owner.status === 'awaiting-upload' && (
        <p className="notice">
          This design has no file yet: its upload link was handed out when it was created and lasts 15 minutes. <Link to="/designer/designs/new">Create the design again</Link> to upload its file.
        </p>
      )}
      {owner.status === 'withdrawn' && (
        <p className="notice" role="status">
          Withdrawn from sale on {when(owner.withdrawnAt)}. Prints already sold keep their licence; its history stays on the ledger.
        </p>
      )}

      <div className="two-col">
        <Card title="Preview">
          {hasFile ? <OwnPreview design={design} /> : <NoPreview message="The design has no file yet." />}
        </Card>
        <Card title="About">
          <dl className="facts">
            <dt>Prints sold</dt>
            <dd>
              {design.edition.sold.toLocaleString()} of {design.edition.size.toLocaleString()}
              {design.edition.issued > design.edition.sold && <span className="muted"> ({design.edition.issued - design.edition.sold} refunded)</span>}
            </dd>
            <dt>Current terms</dt>
            <dd>
              Version {design.terms.version}: {termsSummary(design.terms)}
            </dd>
            <dt>Created</dt>
            <dd>{when(design.createdAt)}</dd>
            {design.description && (
              <>
                <dt>Description</dt>
                <dd className="prewrap">{design.description}</dd>
              </>
            )}
            {design.tags.length > 0 && (
              <>
                <dt>Tags</dt>
                <dd>{design.tags.join(', ')}</dd>
              </>
            )}
            {owner.stl && (
              <>
                <dt>File</dt>
                <dd>
                  {owner.stl.format === 'binary' ? 'Binary' : 'ASCII'} STL, {owner.stl.triangleCount.toLocaleString()} triangles, {(owner.stl.sizeBytes / 1024).toLocaleString(undefined, { maximumFractionDigits: 0 })} KB
                </dd>
                <dt>Fingerprint (SHA-256)</dt>
                <dd>
                  <code className="wrap">{owner.stl.fingerprint}</code>
                </dd>
              </>
            )}
          </dl>
        </Card>
      </div>

      {report && (
        <div className="card">
          <PrintabilityReportView report={report} />
        </div>
      )}

      <DesignRatings designId={design.designId} />
      <Terms design={design} onSaved={(v) => (setNotice(`Version ${v} of the terms is published.`), reload())} />
      {owner.status === 'listed' && <Withdraw design={design} onDone={() => (setNotice(undefined), reload())} />}
    </>
  );
}

function DesignRatings({ designId }: { designId: string }) {
  const feedback = useAsync((signal) => call<Feedback>('GET /me/ratings', { signal }), []);
  return (
    <Card title="Ratings and feedback">
      <AsyncView state={feedback} label="Loading ratings…">
        {(f) => {
          const mine = f.ratings.filter((r) => r.designId === designId);
          if (!mine.length) return <p className="muted">No ratings for this design yet. Customers rate it once their print is delivered.</p>;
          const mean = mine.reduce((n, r) => n + r.stars, 0) / mine.length;
          return (
            <>
              <p>
                <Stars value={mean} count={mine.length} />
              </p>
              <ul className="feedback">
                {mine.map((r) => (
                  <li key={r.orderId}>
                    <Stars value={r.stars} /> <span className="muted">{when(r.at)}</span>
                    {r.comment && <blockquote>{r.comment}</blockquote>}
                  </li>
                ))}
              </ul>
            </>
          );
        }}
      </AsyncView>
    </Card>
  );
}

function Terms({ design, onSaved }: { design: MyDesign; onSaved: (version: number) => void }) {
  const listed = design.status === 'listed' || design.status === 'withdrawn';
  // Versions are public once the design is listed; a draft has only its current terms.
  const history = useAsync(
    async (signal) => (listed ? ((await call('GET /designs/{designId}/terms', { params: { designId: design.designId }, signal })) as LicenseTerms[]) : [design.terms]),
    [design.designId, design.terms.version, listed],
  );
  const [editing, setEditing] = useState(false);
  const [errors, setErrors] = useState<TermsErrors>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const editRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (editing) editRef.current?.focus();
  }, [editing]);

  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const { terms, errors: found } = termsFromForm(new FormData(e.currentTarget));
    setErrors(found);
    if (!terms) return;
    setBusy(true);
    setError(undefined);
    try {
      const updated = (await call('PUT /designs/{designId}/terms', { params: { designId: design.designId }, body: terms })) as { terms: LicenseTerms };
      setEditing(false);
      onSaved(updated.terms.version);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card
      title="Licence terms"
      actions={
        design.status !== 'withdrawn' &&
        !editing && (
          <Button type="button" variant="secondary" onClick={() => setEditing(true)}>
            Edit terms
          </Button>
        )
      }
    >
      {editing && (
        <form className="subform" onSubmit={(e) => void save(e)} aria-labelledby="edit-terms-title" noValidate>
          <h3 id="edit-terms-title" ref={editRef} tabIndex={-1}>
            New version of the terms
          </h3>
          <p className="muted">Prints already sold keep the terms they were sold under; new orders get this version.</p>
          <TermsFields initial={design.terms} errors={errors} />
          <ErrorMessage error={error} />
          <div className="actions">
            <Button type="submit" busy={busy}>
              Publish new terms
            </Button>
            <Button type="button" variant="secondary" onClick={() => (setEditing(false), setErrors({}), setError(undefined))}>
              Cancel
            </Button>
          </div>
        </form>
      )}
      <AsyncView state={history} label="Loading the versions…">
        {(versions) => (
          <div className="table-wrap">
            <table>
              <caption>
                {versions.length === 1 ? 'One version' : `${versions.length} versions`}
                {!listed && ' (earlier versions are kept once the design is listed)'}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Price</th>
                  <th scope="col">Royalty</th>
                  <th scope="col">Edition</th>
                  <th scope="col">Materials</th>
                  <th scope="col">Commercial use</th>
                  <th scope="col">Published</th>
                </tr>
              </thead>
              <tbody>
                {[...versions].reverse().map((t) => (
                  <tr key={t.version} aria-current={t.version === design.terms.version ? 'true' : undefined}>
                    <td>
                      {t.version}
                      {t.version === design.terms.version && <span className="badge">current</span>}
                    </td>
                    <td>{money(t.priceCents)}</td>
                    <td>{money(t.royaltyCents)}</td>
                    <td>{t.editionSize.toLocaleString()}</td>
                    <td>{t.allowedMaterials.join(', ')}</td>
                    <td>{t.commercialUse ? 'Yes' : 'No'}</td>
                    <td>{when(t.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </AsyncView>
    </Card>
  );
}

function Withdraw({ design, onDone }: { design: MyDesign; onDone: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await call('DELETE /designs/{designId}', { params: { designId: design.designId } });
      dialog.current?.close();
      onDone();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 409 ? new Error('The design is no longer listed; reload the page.') : err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card title="Withdraw from sale">
      <p>Customers will no longer find or order “{design.title}”. Prints already sold are not affected, and its history stays on the public ledger.</p>
      <Button type="button" variant="danger" onClick={() => dialog.current?.showModal()}>
        Withdraw…
      </Button>
      <dialog ref={dialog} className="confirm" aria-labelledby="withdraw-title" aria-describedby="withdraw-text" onClose={() => setError(undefined)}>
        <h2 id="withdraw-title">Withdraw “{design.title}”?</h2>
        <p id="withdraw-text">It cannot be listed again afterwards: to sell it again you would upload it as a new design.</p>
        <ErrorMessage error={error} />
        <div className="actions">
          <Button type="button" variant="danger" busy={busy} onClick={() => void confirm()}>
            Withdraw the design
          </Button>
          <Button type="button" variant="secondary" onClick={() => dialog.current?.close()} autoFocus>
            Keep it listed
          </Button>
        </div>
      </dialog>
    </Card>
  );
}
