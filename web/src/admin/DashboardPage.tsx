// /admin: the local counterpart of the CloudWatch dashboard. The API computes the figures from the platform's own
// sources (shared/admin/operations.ts); this page asks again every few seconds, says when it last heard, and keeps
// its own short history of the two figures that are only known "now" (ledger backlog, printers online).
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { call } from '../api/client';
import type { OperationsSnapshot } from '../../../shared/admin/operations';
import { RequireRole } from '../app/guards';
import { Button, Card, ErrorMessage, Loading, Select } from '../ui/kit';
import { AdminNav } from './AdminNav';
import { Bars, Sparkline, type Sample } from './charts';
import './admin.css';

const refreshMs = 5000;
const keepSamples = 60;

export function DashboardPage() {
  return (
    <RequireRole roles={['admin']}>
      <Dashboard />
    </RequireRole>
  );
}

interface Gauges {
  backlog: Sample[];
  printers: Sample[];
}

function useOperations(windowMinutes: number, paused: boolean) {
  const [snapshot, setSnapshot] = useState<OperationsSnapshot>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [gauges, setGauges] = useState<Gauges>({ backlog: [], printers: [] });
  const [tick, setTick] = useState(0);
  const inFlight = useRef<AbortController | undefined>(undefined);

  const load = useCallback(async () => {
    inFlight.current?.abort();
    const ac = new AbortController();
    inFlight.current = ac;
    setBusy(true);
    try {
      const s = await call<OperationsSnapshot>('GET /admin/operations', { query: { windowMinutes }, signal: ac.signal });
      if (ac.signal.aborted) return;
      setSnapshot(s);
      setError(undefined);
      setGauges((g) => ({
        backlog: [...g.backlog, { at: s.at, value: s.ledger.waiting + s.ledger.inFlight }].slice(-keepSamples),
        printers: [...g.printers, { at: s.at, value: s.printers.online }].slice(-keepSamples),
      }));
    } catch (err) {
      if (!ac.signal.aborted) setError(err);
    } finally {
      if (!ac.signal.aborted) setBusy(false);
    }
  }, [windowMinutes]);

  useEffect(() => {
    void load();
    if (paused) return () => inFlight.current?.abort();
    const t = setInterval(() => void load(), refreshMs);
    return () => {
      clearInterval(t);
      inFlight.current?.abort();
    };
  }, [load, paused, tick]);

  return { snapshot, error, busy, gauges, retry: () => setTick((t) => t + 1) };
}

function Dashboard() {
  const [windowMinutes, setWindowMinutes] = useState(15);
  const [paused, setPaused] = useState(false);
  const { snapshot: s, error, busy, gauges, retry } = useOperations(windowMinutes, paused);

  return (
    <>
      <AdminNav />
      <h1>Operations</h1>
      <div className="admin-toolbar">
        <Select label="Time window" value={windowMinutes} onChange={(e) => setWindowMinutes(Number(e.target.value))}>
          <option value={15}>Last 15 minutes</option>
          <option value={30}>Last 30 minutes</option>
          <option value={60}>Last hour</option>
        </Select>
        <Button type="button" variant="secondary" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
          {paused ? 'Resume updates' : 'Pause updates'}
        </Button>
        {/* Not a live region: a screen reader would read it out every 5 s. Errors are announced (role=alert). */}
        <p className="admin-updated">
          {busy && <span className="spinner" aria-hidden="true" />}{' '}
          {s ? (
            <>
              Updated at <time dateTime={s.at}>{new Date(s.at).toLocaleTimeString()}</time>
              {paused ? ' · paused' : ` · refreshes every ${refreshMs / 1000} s`}
            </>
          ) : (
            'Loading the figures…'
          )}
        </p>
      </div>
      {error !== undefined && (
        <>
          <ErrorMessage error={error} onRetry={retry} />
          {s && <p className="muted">The figures below are from {new Date(s.at).toLocaleTimeString()}, the last answer the platform gave.</p>}
        </>
      )}
      {!s && error === undefined && <Loading label="Loading the figures…" />}
      {s && <Figures s={s} gauges={gauges} />}
    </>
  );
}

function Figure({ title, value, caption, children }: { title: string; value: string; caption: string; children?: ReactNode }) {
  return (
    <Card>
      <h2 className="figure-title">{title}</h2>
      <p className="figure-value">{value}</p>
      <p className="figure-caption">{caption}</p>
      {children}
    </Card>
  );
}

function Figures({ s, gauges }: { s: OperationsSnapshot; gauges: Gauges }) {
  const w = `${s.windowMinutes} min`;
  return (
    <>
      <div className="admin-figures" data-testid="figures">
        <Figure title="Orders per minute" value={String(s.orders.lastMinute)} caption={`in the last full minute · ${s.orders.total} orders in the last ${w} (${s.orders.perMinute}/min on average)`}>
          <Bars samples={s.orders.history} label="Orders started per minute" />
        </Figure>
        <Figure title="Workflow failures" value={String(s.workflowFailures.total)} caption={`order workflows that failed or were refunded in the last ${w}`}>
          <Bars samples={s.workflowFailures.history} label="Workflow failures per minute" />
          {s.workflowFailures.recent.length > 0 && (
            <ul className="figure-list">
              {s.workflowFailures.recent.map((f) => (
                <li key={f.order}>
                  <code>{f.order}</code> {f.how} at {new Date(f.at).toLocaleTimeString()}
                </li>
              ))}
            </ul>
          )}
        </Figure>
        <Figure
          title="Ledger backlog"
          value={String(s.ledger.waiting + s.ledger.inFlight)}
          caption={`steps waiting (${s.ledger.waiting}) or being written (${s.ledger.inFlight}) · ${s.ledger.deadLetters} in the dead-letter queue`}
        >
          <Sparkline samples={gauges.backlog} label="Ledger backlog as sampled by this page" />
        </Figure>
        <Figure
          title="Ledger commit latency"
          value={s.ledger.latencyMs === null ? '–' : `${s.ledger.latencyMs} ms`}
          caption={s.ledger.commits ? `average of ${s.ledger.commits} commits in the last ${w}` : `no ledger commits in the last ${w}`}
        >
          <Bars samples={s.ledger.history} label="Average commit latency per minute" unit=" ms" />
        </Figure>
        <Figure title="Printers online" value={`${s.printers.online} / ${s.printers.registered}`} caption="printers connected now, of those registered">
          <Sparkline samples={gauges.printers} label="Printers online as sampled by this page" />
        </Figure>
        <Figure
          title="Errors"
          value={String(s.errors.total)}
          caption={`${s.errors.ledgerWriteFailures} ledger write failures and ${s.errors.workflowsFailed} workflows failed outright in the last ${w}; ${s.errors.deadLetters} dead-lettered ledger steps`}
        >
          <Bars samples={s.errors.history} label="Errors per minute" />
        </Figure>
      </div>
      <details className="card admin-sources">
        <summary>Where these figures come from</summary>
        <ul>
          <li>Orders: order workflow executions started (one per order), per minute.</li>
          <li>Workflow failures: executions that ended failed, timed out or aborted, and orders the workflow refunded.</li>
          <li>Ledger backlog: the ledger queue and its dead-letter queue, now; the line is what this page has seen since it opened.</li>
          <li>Commit latency: the time the ledger writer took per step, averaged per minute (the same measurement as the CloudWatch metric LedgerCommitLatency).</li>
          <li>Printers online: the printers&rsquo; device shadows, now; the line is what this page has seen since it opened.</li>
          <li>Errors: ledger writes that failed (and will be retried), ledger steps in the dead-letter queue, and executions that failed outright. Lambda errors and API 5xx answers are on the CloudWatch dashboard only.</li>
        </ul>
      </details>
    </>
  );
}
