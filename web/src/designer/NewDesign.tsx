// /designer/designs/new: a new design. The designer fills in the title, description and licence terms and picks an
// STL file, which the browser reads and previews at once; then POST /designs gives a presigned URL, the file goes
// straight to S3 (progress shown), POST /designs/{id}/ingest checks it, and the printability report and the platform's
// preview are shown. Everything works from the keyboard: native controls, one form, Enter submits.
import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { Link } from 'react-router';
import { ApiError, call } from '../api/client';
import { RequireRole } from '../app/guards';
import { Button, Card, ErrorMessage, Field, Loading, Progress, TextArea } from '../ui/kit';
import { ModelViewer } from '../ui/viewer/ModelViewer';
import { readStl } from '../ui/viewer/stl';
import { OwnPreview, PrintabilityReportView, StatusBadge, TermsFields, termsFromForm, type TermsErrors } from './parts';
import { maxStlBytes, type CreatedDesign, type OwnerDesign } from './types';
import { UploadFailed, uploadFile } from './upload';

export function NewDesignPage() {
  return (
    <RequireRole roles={['designer']}>
      <NewDesign />
    </RequireRole>
  );
}

type LocalFile = { file: File; positions: Float32Array; triangles: number; size: [number, number, number] } | { file: File; error: string };

type Phase =
  | { kind: 'editing' }
  | { kind: 'working'; step: 'create' | 'upload' | 'ingest'; progress: number; created?: CreatedDesign }
  | { kind: 'failed'; step: 'create' | 'upload' | 'ingest'; progress: number; created?: CreatedDesign; error: unknown; retry: boolean }
  | { kind: 'done'; design: OwnerDesign };

interface FormErrors extends TermsErrors {
  title?: string;
  file?: string;
}

function extent(p: Float32Array): [number, number, number] {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < p.length; i++) {
    const a = i % 3;
    if (p[i]! < min[a]!) min[a] = p[i]!;
    if (p[i]! > max[a]!) max[a] = p[i]!;
  }
  return [max[0]! - min[0]!, max[1]! - min[1]!, max[2]! - min[2]!];
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toLocaleString(undefined, { maximumFractionDigits: 1 })} MB`;

function NewDesign() {
  const [local, setLocal] = useState<LocalFile>();
  const [reading, setReading] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({});
  const [phase, setPhase] = useState<Phase>({ kind: 'editing' });
  const resultRef = useRef<HTMLHeadingElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const abort = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => abort.current?.abort(), []);

  // After a refused submit, the first field to fix gets the focus, so keyboard and screen reader users land on it.
  const [checked, setChecked] = useState(0);
  useEffect(() => {
    if (checked) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], .materials[aria-describedby] input')?.focus();
  }, [checked]);

  useEffect(() => {
    if (phase.kind === 'done') resultRef.current?.focus();
  }, [phase.kind]);

  async function chooseFile(file: File | undefined) {
    setErrors((e) => ({ ...e, file: undefined }));
    if (!file) return setLocal(undefined);
    if (file.size > maxStlBytes) return setLocal({ file, error: `The file is ${mb(file.size)}; the limit is ${mb(maxStlBytes)}.` });
    setReading(true);
    try {
      const mesh = readStl(await file.arrayBuffer());
      setLocal({ file, positions: mesh.positions, triangles: mesh.triangleCount, size: extent(mesh.positions) });
    } catch (err) {
      setLocal({ file, error: `This file cannot be read as STL: ${(err as Error).message}` });
    } finally {
      setReading(false);
    }
  }

  /** Upload and ingest, from wherever the last attempt stopped. */
  async function send(created: CreatedDesign, file: File, from: 'upload' | 'ingest') {
    const ac = new AbortController();
    abort.current = ac;
    let step: 'upload' | 'ingest' = from;
    let progress = from === 'ingest' ? 1 : 0;
    try {
      if (from === 'upload') {
        setPhase({ kind: 'working', step, progress, created });
        await uploadFile(created.upload, file, (f) => setPhase({ kind: 'working', step: 'upload', progress: (progress = f), created }), ac.signal);
      }
      step = 'ingest';
      setPhase({ kind: 'working', step, progress: 1, created });
      const design = (await call('POST /designs/{designId}/ingest', { params: { designId: created.design.designId }, signal: ac.signal })) as OwnerDesign;
      setPhase({ kind: 'done', design });
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      const retry = err instanceof UploadFailed ? err.retryable : !(err instanceof ApiError) || err.status === 0 || err.status >= 500;
      setPhase({ kind: 'failed', step, progress, created, error: err, retry });
    }
  }

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const title = String(form.get('title') ?? '').trim();
    const { terms, errors: termErrors } = termsFromForm(form);
    const found: FormErrors = { ...termErrors };
    if (title.length < 3 || title.length > 120) found.title = 'Give the design a title of 3 to 120 characters.';
    if (!local) found.file = 'Choose the STL file of the design.';
    else if ('error' in local) found.file = local.error;
    setErrors(found);
    if (Object.keys(found).length || !terms || !local || 'error' in local) {
      setChecked((n) => n + 1);
      return;
    }
    const tags = String(form.get('tags') ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    setPhase({ kind: 'working', step: 'create', progress: 0 });
    let created: CreatedDesign;
    try {
      created = (await call('POST /designs', { body: { title, description: String(form.get('description') ?? ''), tags, terms } })) as CreatedDesign;
    } catch (err) {
      setPhase({ kind: 'failed', step: 'create', progress: 0, error: err, retry: false });
      return;
    }
    await send(created, local.file, 'upload');
  }

  const busy = phase.kind === 'working';
  const created = phase.kind === 'working' || phase.kind === 'failed' ? phase.created : undefined;

  if (phase.kind === 'done') {
    return <Result design={phase.design} fileName={local?.file.name ?? 'the file'} headingRef={resultRef} onAnother={() => (setPhase({ kind: 'editing' }), setLocal(undefined))} />;
  }

  return (
    <>
      <p className="crumbs">
        <Link to="/designer">Your designs</Link> › New design
      </p>
      <h1>New design</h1>
      <form ref={formRef} className="card" onSubmit={(e) => void submit(e)} aria-labelledby="new-design-form" noValidate>
        <h2 id="new-design-form">About the design</h2>
        {/* Locked once created: the terms travel with the upload link, and the file goes to that design. */}
        <fieldset className="plain" disabled={busy || !!created}>
          <Field label="Title" name="title" required minLength={3} maxLength={120} error={errors.title} autoComplete="off" />
          <TextArea label="Description" name="description" maxLength={4000} rows={4} />
          <Field label="Tags" name="tags" hint="Separated by commas, for example: vase, kitchen, gift" autoComplete="off" />
          <h2>Licence terms</h2>
          <TermsFields errors={errors} />
          <h2>File</h2>
          <Field
            label="Design file (STL)"
            name="file"
            type="file"
            accept=".stl,model/stl,application/sla,application/vnd.ms-pki.stl"
            required
            error={errors.file ?? (local && 'error' in local ? local.error : undefined)}
            hint={`Binary or ASCII STL, up to ${mb(maxStlBytes)}. It is checked, fingerprinted and stored encrypted; customers only ever see a coarse preview.`}
            onChange={(e) => void chooseFile(e.currentTarget.files?.[0])}
          />
        </fieldset>
        {reading && <Loading label="Reading the file…" />}
        {local && 'positions' in local && (
          <div className="local-preview">
            <p>
              <strong>{local.file.name}</strong>: {local.triangles.toLocaleString()} triangles, {local.size.map((v) => v.toLocaleString(undefined, { maximumFractionDigits: 1 })).join(' × ')} mm,{' '}
              {mb(local.file.size)}. This preview is drawn in your browser; nothing is sent yet.
            </p>
            <ModelViewer positions={local.positions} label={`Your file ${local.file.name}`} height={300} />
          </div>
        )}

        {phase.kind !== 'editing' && <Steps phase={phase} fileName={local?.file.name ?? 'the file'} />}
        {phase.kind === 'failed' && (
          <>
            <ErrorMessage error={phase.error} />
            {phase.created && (
              <>
                <p>
                  The design was saved as a draft: it stays in <Link to={`/designer/designs/${phase.created.design.designId}`}>your designs</Link> until a file is accepted.
                </p>
                <div className="actions">
                  {phase.retry && local && (
                    <Button type="button" onClick={() => void send(phase.created!, local.file, phase.step === 'ingest' ? 'ingest' : 'upload')}>
                      Try again
                    </Button>
                  )}
                  <Button type="button" variant="secondary" onClick={() => setPhase({ kind: 'editing' })}>
                    Start again
                  </Button>
                </div>
              </>
            )}
          </>
        )}
        {!created && (
          <div className="actions">
            <Button type="submit" busy={busy}>
              Create design and upload
            </Button>
            <Link className="btn btn-secondary" to="/designer">
              Cancel
            </Link>
          </div>
        )}
      </form>
    </>
  );
}

function Steps({ phase, fileName }: { phase: Exclude<Phase, { kind: 'editing' } | { kind: 'done' }>; fileName: string }) {
  const order = ['create', 'upload', 'ingest'] as const;
  const at = order.indexOf(phase.step);
  const mark = (i: number) => (i < at ? 'done' : i === at ? (phase.kind === 'failed' ? 'failed' : 'current') : 'todo');
  const percent = Math.round(phase.progress * 100);
  return (
    <section className="steps" aria-labelledby="steps-title">
      <h2 id="steps-title">Progress</h2>
      <ol>
        <li className={`step-${mark(0)}`}>Create the design{mark(0) === 'done' && ': done'}</li>
        <li className={`step-${mark(1)}`}>
          Upload {fileName}
          {at >= 1 && (
            <Progress label={`Uploading ${fileName}: ${percent} %`} value={phase.progress} max={1} />
          )}
        </li>
        <li className={`step-${mark(2)}`}>
          Check printability
          {mark(2) === 'current' && <Loading label="Checking the mesh: watertightness, volume, size…" />}
        </li>
      </ol>
    </section>
  );
}

function Result({ design, fileName, headingRef, onAnother }: { design: OwnerDesign; fileName: string; headingRef: RefObject<HTMLHeadingElement | null>; onAnother: () => void }) {
  const owner = design.owner;
  const report = owner.status === 'listed' || owner.status === 'withdrawn' ? owner.report : owner.status === 'rejected' ? owner.rejection.report : undefined;
  return (
    <>
      <p className="crumbs">
        <Link to="/designer">Your designs</Link> › {design.title}
      </p>
      <h1 ref={headingRef} tabIndex={-1}>
        {owner.status === 'listed' ? 'Your design is listed' : 'The file was not accepted'}
      </h1>
      <Card
        title={
          <>
            {design.title} <StatusBadge status={design.status} />
          </>
        }
      >
        <Progress label={`Uploaded ${fileName}: 100 %`} value={1} max={1} />
        {owner.status === 'listed' && <p className="notice">Customers can now find and order “{design.title}”. Its fingerprint is on its way to the public ledger.</p>}
        {owner.status === 'rejected' && (
          <div className="error" role="alert">
            <span>{owner.rejection.reason}</span>
          </div>
        )}
        <div className="two-col">
          <div>{report ? <PrintabilityReportView report={report} /> : <p>No report: the file could not be read.</p>}</div>
          <div>
            <h2>Preview</h2>
            <OwnPreview design={design} />
          </div>
        </div>
        <div className="actions">
          <Link className="btn btn-primary" to={`/designer/designs/${design.designId}`}>
            Open the design’s page
          </Link>
          <button type="button" className="btn btn-secondary" onClick={onAnother}>
            {owner.status === 'rejected' ? 'Start again with a corrected file' : 'Create another design'}
          </button>
          <Link className="btn btn-secondary" to="/designer">
            Back to your designs
          </Link>
        </div>
      </Card>
    </>
  );
}
