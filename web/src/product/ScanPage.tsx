// /scan: verify a product by scanning its QR code with the camera, or by pasting the link printed under it. A DPM
// Digital Link opens the product page (with its query: the signature, and a tap's NFC parameters); anything else is
// named and left alone.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { config } from '../config';
import { Button, Field, Loading } from '../ui/kit';
import { dpmHosts, readDigitalLink } from './digital-link';
import { cameraProblem, frameReader } from './qr-frames';
import './product.css';

type CameraState = { kind: 'off' } | { kind: 'starting' } | { kind: 'scanning'; reader: string } | { kind: 'failed'; message: string };

/** How often a frame is looked at: often enough to feel instant, rarely enough to leave a phone's CPU alone. */
const frameIntervalMs = 150;

export function Component() {
  const navigate = useNavigate();
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | undefined>(undefined);
  const timer = useRef<number | undefined>(undefined);
  const [camera, setCamera] = useState<CameraState>({ kind: 'off' });
  const [link, setLink] = useState('');
  const [problem, setProblem] = useState<{ message: string; text?: string } | undefined>();

  const stop = useCallback(() => {
    if (timer.current !== undefined) window.clearTimeout(timer.current);
    timer.current = undefined;
    stream.current?.getTracks().forEach((t) => t.stop());
    stream.current = undefined;
  }, []);
  useEffect(() => stop, [stop]);

  /** True if the text opened a product page. */
  const open = useCallback(
    (text: string): boolean => {
      const reading = readDigitalLink(text, dpmHosts(window.location.host, config().publicBaseUrl));
      if (reading.kind === 'product') {
        stop();
        void navigate(`${reading.path}${reading.search}`);
        return true;
      }
      setProblem({ message: reading.message, text });
      return false;
    },
    [navigate, stop],
  );

  const start = async () => {
    setProblem(undefined);
    if (!navigator.mediaDevices?.getUserMedia) {
      setCamera({ kind: 'failed', message: cameraProblem({ name: window.isSecureContext ? 'NotFoundError' : 'SecurityError' }) });
      return;
    }
    setCamera({ kind: 'starting' });
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
      stream.current = s;
      const v = video.current!;
      v.srcObject = s;
      await v.play();
      const reader = await frameReader();
      setCamera({ kind: 'scanning', reader: reader.kind });
      let lastRejected = '';
      const tick = async () => {
        if (!stream.current) return;
        const text = await reader.read(v).catch(() => undefined);
        // The same foreign code in view keeps its message without re-announcing it each frame.
        if (text && text !== lastRejected) {
          if (open(text)) return;
          lastRejected = text;
        }
        timer.current = window.setTimeout(() => void tick(), frameIntervalMs);
      };
      void tick();
    } catch (err) {
      stop();
      // getUserMedia's refusals are named DOMExceptions; a plain Error is ours and already says what to do.
      const plain = err instanceof Error && err.name === 'Error';
      setCamera({ kind: 'failed', message: plain ? err.message : cameraProblem(err) });
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    open(link);
  };

  const active = camera.kind === 'starting' || camera.kind === 'scanning';
  return (
    <div className="narrow scan-page">
      <h1>Verify a product</h1>
      <p>Scan the QR code on the product, or paste the link printed under it. You will see whether the product is authentic and its story.</p>

      <section className="card" aria-labelledby="camera-title">
        <h2 id="camera-title">Scan with the camera</h2>
        <div className="scanner" hidden={!active}>
          <video ref={video} muted playsInline aria-label="Camera view" />
          <span className="scanner-frame" aria-hidden="true" />
        </div>
        {camera.kind === 'starting' && <Loading label="Starting the camera… Allow camera access if your browser asks." />}
        {camera.kind === 'scanning' && (
          <p role="status" aria-live="polite">
            Point the camera at the product’s QR code. It opens by itself once read.
          </p>
        )}
        {camera.kind === 'failed' && (
          <div className="error" role="alert">
            <span>{camera.message}</span>
          </div>
        )}
        <div className="actions">
          {active ? (
            <Button
              type="button"
              variant="secondary"
              onClick={() => {
                stop();
                setCamera({ kind: 'off' });
              }}
            >
              Stop the camera
            </Button>
          ) : (
            <Button type="button" onClick={() => void start()}>
              Scan with the camera
            </Button>
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="paste-title">
        <h2 id="paste-title">Or paste the link</h2>
        <form onSubmit={submit} noValidate>
          <Field
            label="Product link"
            name="link"
            inputMode="url"
            autoComplete="off"
            placeholder="https://…/01/…/21/…?s=…"
            value={link}
            onChange={(e) => setLink(e.target.value)}
            hint="The link under the QR code, or the address your phone opened when it read the NFC tag."
          />
          <Button type="submit">Verify</Button>
        </form>
      </section>

      {problem && (
        <div className="error" role="alert" aria-live="assertive">
          <span>
            {problem.message}
            {problem.text && (
              <>
                <br />
                <span className="mono">Read: {problem.text.length > 120 ? `${problem.text.slice(0, 120)}…` : problem.text}</span>
              </>
            )}
          </span>
        </div>
      )}
    </div>
  );
}
