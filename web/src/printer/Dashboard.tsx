// The operator's dashboard: each printer as it last reported (presence, temperatures, material, the job and its
// progress, recent alerts) and the jobs on their printers, with accept and reject for offers a printer holds.
// Everything here refreshes every few seconds while the page is open (polling; the API has no push channel).
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { call, describeError } from '../api/client';
import { RequireRole } from '../app/guards';
import { Button, ErrorMessage, Loading, money, when } from '../ui/kit';
import { alertText, refreshMs, telemetryOf, usePoll, type MyPrinterView, type OperatorJobView, type Poll } from './api';
import './printer.css';

export function Dashboard() {
  return (
    <RequireRole roles={['printer']}>
      <DashboardPage />
    </RequireRole>
  );
}

function DashboardPage() {
  const printers = usePoll((signal) => call<MyPrinterView[]>('GET /me/printers', { signal }), refreshMs);
  const jobs = usePoll((signal) => call<OperatorJobView[]>('GET /me/jobs', { signal }), refreshMs);
  return (
    <>
      <div className="page-head">
        <h1>Your printers</h1>
        <nav className="actions" aria-label="Printer tools">
          <Link className="btn btn-primary" to="/printer/register">
            Register a printer
          </Link>
          <Link className="btn btn-secondary" to="/printer/viewer">
            G-code viewer
          </Link>
          <Link className="btn btn-secondary" to="/printer/payouts">
            Payouts
          </Link>
        </nav>
      </div>
      <p className="muted refresh-note">
        Telemetry and jobs refresh every {refreshMs / 1000} seconds while this page is open
        {printers.updatedAt ? ` (last refreshed ${printers.updatedAt.toLocaleTimeString()})` : ''}.
      </p>
      {printers.error !== undefined && <ErrorMessage error={printers.data ? new Error(`Could not refresh the printers: ${describeError(printers.error)}`) : printers.error} onRetry={printers.reload} />}
      {printers.data === undefined ? (
        printers.error === undefined && <Loading label="Loading your printers…" />
      ) : printers.data.length === 0 ? (
        <section className="card">
          <h2>No printers yet</h2>
          <p>
            Register your first printer: its agent makes its keys on the device, and you paste the public halves here. <Link to="/printer/register">Register a printer</Link>.
          </p>
        </section>
      ) : (
        <ul className="printer-grid" aria-label="Printers">
          {printers.data.map((p) => (
            <PrinterCard key={p.printerId} printer={p} />
          ))}
        </ul>
      )}
      <JobsSection jobs={jobs} printers={printers.data} />
    </>
  );
}

function PrinterCard({ printer: p }: { printer: MyPrinterView }) {
  const t = telemetryOf(p.reported);
  const headingId = `printer-${p.printerId}`;
  const statusLabel = p.online ? `Online, ${p.status}` : p.status === 'never connected' ? 'Never connected' : 'Offline';
  return (
    <li className="card printer-card" aria-labelledby={headingId}>
      <header className="card-head">
        <h2 id={headingId}>{p.name}</h2>
        <span className={`status status-${p.online ? 'online' : 'offline'}`}>{statusLabel}</span>
      </header>
      <p className="muted">
        {p.region} · {p.buildVolume.x}×{p.buildVolume.y}×{p.buildVolume.z} mm · nozzle {p.nozzleDiameter} mm
      </p>
      <p className="muted">Loaded: {p.loadedMaterials.map((m) => `${m.type} (${m.color})`).join(', ')}</p>
      <dl className="telemetry">
        <div>
          <dt>Nozzle</dt>
          <dd>{t.nozzleC !== undefined ? `${t.nozzleC} °C` : '–'}</dd>
        </div>
        <div>
          <dt>Bed</dt>
          <dd>{t.bedC !== undefined ? `${t.bedC} °C` : '–'}</dd>
        </div>
        <div>
          <dt>Material</dt>
          <dd>
            {t.material ? (
              <>
                {t.material.type} {t.material.levelPct.toFixed(1)} %
                <meter className="level" min={0} max={100} low={15} high={40} optimum={100} value={t.material.levelPct} aria-label={`${p.name} material left`} />
              </>
            ) : (
              '–'
            )}
          </dd>
        </div>
        <div>
          <dt>Last report</dt>
          <dd>{p.lastReportAt ? when(p.lastReportAt) : '–'}</dd>
        </div>
      </dl>
      {t.job ? (
        <div className="current-job">
          <p>
            Printing order {t.job.slice(4, 12)}
            {t.progress && t.progress.jobId === t.job ? `: layer ${t.progress.layer} of ${t.progress.layers}, ${Math.round(t.progress.percent)} %` : ''}
          </p>
          {t.progress && t.progress.jobId === t.job && <progress max={100} value={t.progress.percent} aria-label={`${p.name} print progress`} />}
        </div>
      ) : (
        <p className="muted">No job printing.</p>
      )}
      {t.alerts.length > 0 && (
        <div className="alerts">
          <h3>Recent alerts</h3>
          <ul>
            {t.alerts.map((a) => (
              <li key={`${a.at}-${a.type}`}>
                <strong>{alertText(a.type)}</strong> {a.detail ? `(${a.detail})` : ''} <span className="muted">{when(a.at)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <p className="muted">{p.config.approveJobs ? 'You approve each job.' : 'The printer takes jobs itself.'}</p>
      {p.config.approveJobs && t.approveJobs === false && p.online && <p className="notice">The printer has not taken this setting yet; it will with its next report.</p>}
      <p>
        <Link to={`/printer/printers/${encodeURIComponent(p.printerId)}`} aria-label={`Edit ${p.name}: configuration and terms`}>
          Edit configuration and terms
        </Link>
      </p>
    </li>
  );
}

const stateLabel: Record<OperatorJobView['state'], string> = {
  'awaiting-decision': 'Waiting for your decision',
  offered: 'Offered to the printer',
  printing: 'Printing',
  completed: 'Printed',
  failed: 'Failed',
  rejected: 'Rejected',
  busy: 'Printer was busy',
  'timed-out': 'No answer in time',
};

function JobsSection({ jobs, printers }: { jobs: Poll<OperatorJobView[]>; printers: MyPrinterView[] | undefined }) {
  const [sent, setSent] = useState<Record<string, string>>({});
  return (
    <section className="card" aria-labelledby="jobs-title">
      <h2 id="jobs-title">Jobs</h2>
      <p className="muted">
        Offers your printers hold for you, what they print and what they just finished. A decision goes to the printer, which answers the order itself, signed with
        its own key.
      </p>
      {jobs.error !== undefined && <ErrorMessage error={jobs.data ? new Error(`Could not refresh the jobs: ${describeError(jobs.error)}`) : jobs.error} onRetry={jobs.reload} />}
      {jobs.data === undefined ? (
        jobs.error === undefined && <Loading label="Loading jobs…" />
      ) : jobs.data.length === 0 ? (
        <p>No jobs right now. {printers?.some((p) => p.config.approveJobs) ? 'Offers you must decide will appear here.' : ''}</p>
      ) : (
        <ul className="jobs" aria-label="Jobs">
          {jobs.data.map((j) => (
            <JobItem key={j.jobId} job={j} sent={sent[j.jobId]} onSent={(text) => setSent((s) => ({ ...s, [j.jobId]: text }))} onDecided={jobs.reload} />
          ))}
        </ul>
      )}
    </section>
  );
}

function JobItem({ job: j, sent, onSent, onDecided }: { job: OperatorJobView; sent?: string; onSent: (text: string) => void; onDecided: () => void }) {
  const [busy, setBusy] = useState<'accept' | 'reject'>();
  const [error, setError] = useState<unknown>();
  const [reason, setReason] = useState('');
  const notice = useRef<HTMLParagraphElement>(null);
  // The buttons go once a decision is sent: focus moves to what happened, not to the top of the page.
  useEffect(() => {
    if (sent) notice.current?.focus();
  }, [sent]);
  const title = `Order ${j.orderId.slice(4, 12)} on ${j.printerName}`;
  async function decide(decision: 'accept' | 'reject') {
    setBusy(decision);
    setError(undefined);
    try {
      await call('POST /jobs/{jobId}/decision', { params: { jobId: j.jobId }, body: { decision, ...(decision === 'reject' && reason.trim() ? { reason: reason.trim() } : {}) } });
      onSent(decision === 'accept' ? `Accepted. ${j.printerName} is told to start; this list shows it printing once it has.` : `Rejected. ${j.printerName} declines the order, which goes to another printer.`);
      onDecided();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  }
  const waiting = j.state === 'awaiting-decision' && !sent;
  return (
    <li className={`job job-${j.state}`} aria-label={title}>
      <div className="job-head">
        <strong>{title}</strong>
        <span className={`badge state-${j.state}`}>{stateLabel[j.state]}</span>
      </div>
      <p className="muted">
        {j.material}
        {j.color ? ` (${j.color})` : ''} · about {Math.round(j.estimate.printSeconds / 60)} min, {j.estimate.grams} g · payout {money(j.payoutCents)} once delivered · offered {when(j.offeredAt)}
      </p>
      {j.progress && j.state === 'printing' && <progress max={100} value={j.progress.percent} aria-label={`${title}: ${j.progress.percent}% printed`} />}
      {j.reason && <p className="muted">Reason: {j.reason}</p>}
      {waiting && (
        <div className="decision">
          <label htmlFor={`reason-${j.jobId}`}>Reason if you reject (optional, told to the platform)</label>
          <input id={`reason-${j.jobId}`} value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
          <div className="actions">
            <Button busy={busy === 'accept'} disabled={busy !== undefined} onClick={() => void decide('accept')}>
              Accept job<span className="visually-hidden">: {title}</span>
            </Button>
            <Button variant="danger" busy={busy === 'reject'} disabled={busy !== undefined} onClick={() => void decide('reject')}>
              Reject job<span className="visually-hidden">: {title}</span>
            </Button>
          </div>
        </div>
      )}
      {sent && (
        <p className="notice" role="status" tabIndex={-1} ref={notice}>
          {sent}
        </p>
      )}
      <ErrorMessage error={error} onRetry={undefined} />
    </li>
  );
}
