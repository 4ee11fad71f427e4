// Registering a printer. Its keys are made on the device by its agent (`dpm-printer init`), and only the public
// halves are pasted here: the platform never makes a printer's private keys, and the browser never sees them. The
// broker credentials the registration returns are shown once, with the command that starts the agent with them.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { DeviceCredentials } from '../../../shared/printers/ports';
import { ApiError, call } from '../api/client';
import { RequireRole } from '../app/guards';
import { Button, Card, ErrorMessage, TextArea } from '../ui/kit';
import { fieldErrors } from './api';
import { readPublicKeys } from './device-keys';
import { checkConfig, checkTerms, ConfigFields, configFieldOf, emptyConfig, emptyTerms, TermsFields, termsFieldOf, type ConfigDraft, type TermsDraft } from './PrinterForms';
import './printer.css';

export function RegisterPrinter() {
  return (
    <RequireRole roles={['printer']}>
      <RegisterPage />
    </RequireRole>
  );
}

interface Registered {
  printer: { printerId: string; name: string };
  credentials: DeviceCredentials;
}

function RegisterPage() {
  const [device, setDevice] = useState('workshop-1');
  const [pasted, setPasted] = useState('');
  const [config, setConfig] = useState<ConfigDraft>(emptyConfig);
  const [terms, setTerms] = useState<TermsDraft>(emptyTerms);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<{ registered: Registered; device?: string }>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const k = readPublicKeys(pasted);
    const c = checkConfig(config);
    const t = checkTerms(terms);
    const all = { ...c.errors, ...t.errors, ...(k.error ? { keys: k.error } : {}) };
    setErrors(all);
    if (!k.keys || !c.body || !t.body) {
      setError(new Error('Some fields need attention; each says what is wrong.'));
      return;
    }
    setBusy(true);
    try {
      const registered = await call<Registered, 'POST /printers'>('POST /printers', { body: { config: c.body, terms: t.body, deviceKeys: k.keys } });
      setDone({ registered, ...(k.device ? { device: k.device } : {}) });
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const byField: Record<string, string> = {};
        for (const [path, message] of Object.entries(fieldErrors(err.details))) {
          const f = configFieldOf(path, 'config.') ?? termsFieldOf(path, 'terms.') ?? (path.startsWith('deviceKeys') ? 'keys' : undefined);
          if (f) byField[f] = message;
        }
        setErrors(byField);
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (done) return <Registered registered={done.registered} device={done.device} />;
  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby="register-title">
      <h1 id="register-title">Register a printer</h1>
      <Card title="1. Make the printer’s keys on the printer">
        <p>
          On the printer, or the computer that runs its agent, run the command below. It makes the device’s keys and keeps the private halves there, readable by that
          user only. DPM never makes or receives a printer’s private keys: print files are sealed to the public key, so only this printer can open them.
        </p>
        <div className="field">
          <label htmlFor="device-name">A name for the keys on that computer</label>
          <input id="device-name" value={device} onChange={(e) => setDevice(e.target.value.replace(/[^A-Za-z0-9:_-]/g, ''))} aria-describedby="device-hint" />
          <small id="device-hint" className="hint">
            Letters, digits, “-”, “_” or “:”. Only the agent uses it, to find the keys.
          </small>
        </div>
        <pre className="command" aria-label="Command that makes the keys">
          <code>npx dpm-printer init --thing {device || 'workshop-1'}</code>
        </pre>
      </Card>
      <Card title="2. Paste what it printed">
        <TextArea
          label="Public keys (the output of dpm-printer init)"
          rows={5}
          value={pasted}
          onChange={(e) => setPasted(e.target.value)}
          placeholder={'{\n  "thing": "workshop-1",\n  "encryptionKey": "…",\n  "signingKey": "…"\n}'}
          spellCheck={false}
          aria-invalid={errors.keys ? true : undefined}
          aria-describedby={errors.keys ? 'keys-error' : undefined}
        />
        {errors.keys && (
          <small id="keys-error" className="field-error block">
            {errors.keys}
          </small>
        )}
      </Card>
      <Card title="3. Describe the printer">
        <ConfigFields draft={config} onChange={setConfig} errors={errors} />
      </Card>
      <Card title="4. Your terms">
        <TermsFields draft={terms} onChange={setTerms} errors={errors} />
      </Card>
      <ErrorMessage error={error} />
      <div className="actions">
        <Button type="submit" busy={busy}>
          Register the printer
        </Button>
        <Link className="btn btn-secondary" to="/printer">
          Cancel
        </Link>
      </div>
    </form>
  );
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-pem-file' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Registered({ registered, device }: { registered: Registered; device?: string }) {
  const { printer, credentials: c } = registered;
  const deviceFlag = device && device !== printer.printerId ? ` --device ${device}` : '';
  const command =
    c.kind === 'password'
      ? `npx dpm-printer run --mqtt ${c.endpoint} --thing ${printer.printerId}${deviceFlag} --password ${c.password}`
      : `npx dpm-printer run --mqtt mqtts://${c.endpoint}:8883 --thing ${printer.printerId}${deviceFlag} --cert ${printer.printerId}.cert.pem --key ${printer.printerId}.key.pem --ca AmazonRootCA1.pem`;
  return (
    <section className="card" aria-labelledby="registered-title">
      <h1 id="registered-title">{printer.name} is registered</h1>
      <p role="status">
        Printer id <code>{printer.printerId}</code>. Start its agent with the command below, on the computer where you made its keys.
      </p>
      <p className="notice">
        These broker credentials are shown once and are not kept by DPM. If you lose them, register again with the same public keys: you get the same printer
        with new credentials.
      </p>
      {c.kind === 'x509' && (
        <div className="actions">
          <button type="button" className="btn btn-secondary" onClick={() => download(`${printer.printerId}.cert.pem`, c.certificatePem)}>
            Download the certificate
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => download(`${printer.printerId}.key.pem`, c.privateKeyPem)}>
            Download the certificate’s key
          </button>
        </div>
      )}
      <pre className="command" aria-label="Command that starts the printer agent">
        <code>{command}</code>
      </pre>
      <p>
        Once it runs, the printer shows as online on <Link to="/printer">your printers</Link>.
      </p>
    </section>
  );
}
