// Editing one printer: its configuration (sent to the printer as desired shadow state) and its terms (a new version
// each time, since orders keep the version their customer accepted).
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, call } from '../api/client';
import { RequireRole } from '../app/guards';
import { AsyncView, Button, Card, ErrorMessage, useAsync } from '../ui/kit';
import { fieldErrors, type MyPrinterView } from './api';
import { checkConfig, checkTerms, ConfigFields, configDraftOf, configFieldOf, TermsFields, termsDraftOf, termsFieldOf, type ConfigDraft, type TermsDraft } from './PrinterForms';
import './printer.css';

export function EditPrinter() {
  return (
    <RequireRole roles={['printer']}>
      <EditPage />
    </RequireRole>
  );
}

function EditPage() {
  const { printerId = '' } = useParams();
  const state = useAsync(async (signal) => {
    const mine = await call<MyPrinterView[]>('GET /me/printers', { signal });
    const p = mine.find((m) => m.printerId === printerId);
    if (!p) throw new Error('None of your printers has this id. It may belong to another account, or the link is wrong.');
    return p;
  }, [printerId]);
  return (
    <AsyncView state={state} label="Loading the printer…">
      {(p) => (
        <>
          <p>
            <Link to="/printer">← Your printers</Link>
          </p>
          <h1>Edit {p.name}</h1>
          <ConfigCard printer={p} onSaved={state.reload} />
          <TermsCard printer={p} onSaved={state.reload} />
        </>
      )}
    </AsyncView>
  );
}

function ConfigCard({ printer, onSaved }: { printer: MyPrinterView; onSaved: () => void }) {
  const [draft, setDraft] = useState<ConfigDraft>(() => configDraftOf(printer));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  useEffect(() => setDraft(configDraftOf(printer)), [printer]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(undefined);
    setError(undefined);
    const c = checkConfig(draft, printer.config.profile);
    setErrors(c.errors);
    if (!c.body) {
      setError(new Error('Some fields need attention; each says what is wrong.'));
      return;
    }
    setBusy(true);
    try {
      await call('PUT /printers/{printerId}/config', { params: { printerId: printer.printerId }, body: c.body });
      setSaved(`Saved. Configuration version ${printer.config.version + 1} is on its way to the printer; it applies it when it is online.`);
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const byField: Record<string, string> = {};
        for (const [path, message] of Object.entries(fieldErrors(err.details))) {
          const f = configFieldOf(path);
          if (f) byField[f] = message;
        }
        setErrors(byField);
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby="config-title">
      <Card title={<span id="config-title">Configuration (version {printer.config.version})</span>}>
        <ConfigFields draft={draft} onChange={setDraft} errors={errors} />
        <ErrorMessage error={error} />
        {saved && (
          <p className="notice" role="status">
            {saved}
          </p>
        )}
        <Button type="submit" busy={busy}>
          Save configuration
        </Button>
      </Card>
    </form>
  );
}

function TermsCard({ printer, onSaved }: { printer: MyPrinterView; onSaved: () => void }) {
  const [draft, setDraft] = useState<TermsDraft>(() => termsDraftOf(printer));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(undefined);
    setError(undefined);
    const t = checkTerms(draft);
    setErrors(t.errors);
    if (!t.body) {
      setError(new Error('Some fields need attention; each says what is wrong.'));
      return;
    }
    setBusy(true);
    try {
      await call('PUT /printers/{printerId}/terms', { params: { printerId: printer.printerId }, body: t.body });
      setSaved(`Published as version ${printer.terms.version + 1}. Orders placed before keep the terms their customers accepted.`);
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const byField: Record<string, string> = {};
        for (const [path, message] of Object.entries(fieldErrors(err.details))) {
          const f = termsFieldOf(path);
          if (f) byField[f] = message;
        }
        setErrors(byField);
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby="terms-title">
      <Card title={<span id="terms-title">Terms (version {printer.terms.version})</span>}>
        <TermsFields draft={draft} onChange={setDraft} errors={errors} />
        <ErrorMessage error={error} />
        {saved && (
          <p className="notice" role="status">
            {saved}
          </p>
        )}
        <Button type="submit" busy={busy}>
          Publish these terms
        </Button>
      </Card>
    </form>
  );
}
