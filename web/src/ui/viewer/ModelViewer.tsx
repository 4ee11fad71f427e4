// ModelViewer: the one 3D viewer of the web app (designer pages, the public design page). Stable API, used by other
// areas: change it only compatibly.
//
//   import { ModelViewer } from '../ui/viewer/ModelViewer';
//   import { apiUrl } from '../api/client';
//
//   // A design's preview as the API serves it (binary STL, GET /designs/{designId}/preview; public for listed designs):
//   <ModelViewer url={apiUrl(`/designs/${designId}/preview`)} label={`Preview of ${title}`} />
//   // The owner's view of their own (draft) design needs their token (headers from `await authHeaders()`, api/client):
//   <ModelViewer url={apiUrl(`/me/designs/${designId}/preview`)} headers={headers} label="…" />
//   // Triangles already in memory (a local STL read with readStl from './stl', before upload):
//   <ModelViewer positions={mesh.positions} label="Your file" />
//   // A design whose view has no `preview` field (ingested before previews existed): say so without a request
//   // (the viewer's own 404 state looks the same):
//   <NoPreview />
//
// Props
//   url + headers?   where to GET a binary or ASCII STL (a 404 shows “No preview yet” with the API's message)
//   positions        or: nine floats per triangle (x, y, z of three corners)
//   label            what the model is, for screen readers and the caption (required)
//   autoRotate?      start turning (default: on, unless the user prefers reduced motion); a button toggles it
//   height?          CSS height of the drawing area (default 360px; the width follows the container)
//   className?
//
// The root element carries data-state = loading | ready | missing | error (and data-triangles when ready), for pages
// and tests. three.js is not imported here: ./scene is loaded with import() when a viewer mounts, so three only
// downloads on pages that draw. WebGL resources are released on unmount. Controls: drag to turn, wheel or pinch to
// zoom; labelled buttons and the keyboard (arrows turn, + and − zoom, 0 resets, A toggles auto-rotate) do the same.
import { useEffect, useId, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { Progress } from '../kit';
import type { ViewerScene } from './scene';
import { readStl, StlReadError } from './stl';
import './viewer.css';

export type ModelSource = { url: string; headers?: Record<string, string>; positions?: never } | { positions: Float32Array; url?: never; headers?: never };

export type ModelViewerProps = ModelSource & {
  label: string;
  autoRotate?: boolean;
  height?: CSSProperties['height'];
  className?: string;
};

export type ViewerState =
  | { phase: 'loading'; step: 'download' | 'read' | 'viewer'; loaded?: number; total?: number }
  | { phase: 'ready'; triangles: number }
  | { phase: 'missing'; message: string }
  | { phase: 'error'; message: string; retry: boolean };

class Missing extends Error {}

const turn = Math.PI / 12; // 15° per key press or click

function prefersReducedMotion(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

async function download(url: string, headers: Record<string, string> | undefined, signal: AbortSignal, progress: (loaded: number, total?: number) => void): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new Error('The model could not be downloaded. Check your connection and try again.', { cause: err });
  }
  if (res.status === 404) {
    const body = (await res.json().catch(() => undefined)) as { message?: string } | undefined;
    throw new Missing(body?.message ?? 'There is no preview of this design yet.');
  }
  if (res.status === 401) throw Object.assign(new Error('Your session has ended. Log in again to see this model.'), { noRetry: true });
  if (!res.ok) throw new Error(res.status >= 500 ? 'The platform could not send the model just now. Try again in a moment.' : `The model could not be loaded (HTTP ${res.status}).`);
  const total = Number(res.headers.get('content-length')) || undefined;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    progress(loaded, total && total >= loaded ? total : undefined);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The place of a viewer for a model that has no preview, same size and words as the viewer's own 404 state. */
export function NoPreview({ message = 'This design was ingested before previews were made.', height = 360 }: { message?: string; height?: CSSProperties['height'] }) {
  return (
    <figure className="viewer" data-state="missing">
      <div className="viewer-stage" style={{ height }}>
        <div className="viewer-overlay viewer-empty">
          <p className="viewer-empty-title">No preview yet</p>
          <p className="muted">{message}</p>
        </div>
      </div>
    </figure>
  );
}

export function ModelViewer(props: ModelViewerProps) {
  const { label, height = 360, className } = props;
  const hostRef = useRef<HTMLDivElement>(null);
  const sceneRef = useRef<ViewerScene | undefined>(undefined);
  const [state, setState] = useState<ViewerState>({ phase: 'loading', step: props.url ? 'download' : 'viewer' });
  const [autoRotate, setAutoRotate] = useState(() => props.autoRotate ?? !prefersReducedMotion());
  const autoRotateRef = useRef(autoRotate);
  autoRotateRef.current = autoRotate;
  const [attempt, setAttempt] = useState(0);
  const helpId = useId();

  const { url, positions } = props;
  const headersKey = props.headers ? JSON.stringify(props.headers) : '';

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const ac = new AbortController();
    let scene: ViewerScene | undefined;
    const live = () => !ac.signal.aborted;
    // The viewer module downloads while the model does.
    const sceneModule = import('./scene');
    setState({ phase: 'loading', step: url ? 'download' : 'viewer' });

    (async () => {
      let mesh: Float32Array;
      if (url) {
        const bytes = await download(url, headersKey ? (JSON.parse(headersKey) as Record<string, string>) : undefined, ac.signal, (loaded, total) => {
          if (live()) setState({ phase: 'loading', step: 'download', loaded, total });
        });
        if (!live()) return;
        setState({ phase: 'loading', step: 'read' });
        mesh = readStl(bytes).positions;
      } else {
        mesh = positions!;
      }
      if (!live()) return;
      setState({ phase: 'loading', step: 'viewer' });
      let mod: typeof import('./scene');
      try {
        mod = await sceneModule;
      } catch (err) {
        throw new Error('The 3D viewer could not be loaded. Check your connection and try again.', { cause: err });
      }
      if (!live()) return;
      try {
        scene = mod.createScene(host, {
          autoRotate: autoRotateRef.current,
          onFirstFrame: () => live() && setState({ phase: 'ready', triangles: mesh.length / 9 }),
          onContextLost: () => live() && setState({ phase: 'error', message: 'The 3D view stopped: the graphics driver was reset or too many 3D views are open. Close other tabs, then try again.', retry: true }),
        });
      } catch (err) {
        if (err instanceof mod.WebGLUnavailable) {
          throw Object.assign(
            new Error('Your browser cannot draw 3D here: WebGL is turned off or not supported. Turn on hardware acceleration in the browser’s settings, or open this page in another browser.', { cause: err }),
            { noRetry: true },
          );
        }
        throw err;
      }
      sceneRef.current = scene;
      scene.setMesh(mesh);
    })().catch((err: unknown) => {
      if (!live() || (err as Error).name === 'AbortError') return;
      if (err instanceof Missing) setState({ phase: 'missing', message: err.message });
      else if (err instanceof StlReadError) setState({ phase: 'error', message: `This file cannot be shown: ${err.message}`, retry: false });
      else setState({ phase: 'error', message: (err as Error).message || 'The model could not be shown.', retry: !(err as { noRetry?: boolean }).noRetry });
    });

    return () => {
      ac.abort();
      sceneRef.current = undefined;
      scene?.dispose();
    };
  }, [url, headersKey, positions, attempt]);

  useEffect(() => sceneRef.current?.setAutoRotate(autoRotate), [autoRotate, state.phase]);

  const ready = state.phase === 'ready';
  const act = (f: (s: ViewerScene) => void) => () => sceneRef.current && f(sceneRef.current);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const s = sceneRef.current;
    if (!s) return;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => s.rotate(-turn, 0),
      ArrowRight: () => s.rotate(turn, 0),
      ArrowUp: () => s.rotate(0, -turn),
      ArrowDown: () => s.rotate(0, turn),
      '+': () => s.zoom(0.8),
      '=': () => s.zoom(0.8),
      '-': () => s.zoom(1.25),
      '0': () => s.reset(),
      Home: () => s.reset(),
      a: () => setAutoRotate((on) => !on),
    };
    const handler = keys[e.key];
    if (!handler || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    handler();
  };

  return (
    <figure className={`viewer ${className ?? ''}`} data-state={state.phase} data-triangles={ready ? state.triangles : undefined}>
      <div className="viewer-stage" style={{ height }}>
        <div
          ref={hostRef}
          className="viewer-host"
          tabIndex={ready ? 0 : -1}
          role="img"
          aria-roledescription="3D view"
          aria-label={label}
          aria-describedby={helpId}
          onKeyDown={onKeyDown}
        />
        {state.phase === 'loading' && (
          <div className="viewer-overlay">
            <Progress
              label={state.step === 'download' ? 'Downloading the model…' : state.step === 'read' ? 'Reading the model…' : 'Preparing the 3D view…'}
              value={state.step === 'download' && state.total ? state.loaded : undefined}
              max={state.step === 'download' && state.total ? state.total : 1}
            />
          </div>
        )}
        {state.phase === 'missing' && (
          <div className="viewer-overlay viewer-empty">
            <p className="viewer-empty-title">No preview yet</p>
            <p className="muted">{state.message}</p>
          </div>
        )}
        {state.phase === 'error' && (
          <div className="viewer-overlay">
            <div className="error" role="alert">
              <span>{state.message}</span>
              {state.retry && (
                <button type="button" className="link" onClick={() => setAttempt((n) => n + 1)}>
                  Try again
                </button>
              )}
            </div>
          </div>
        )}
      </div>
      <div className="viewer-tools" role="toolbar" aria-label={`Controls of the 3D view: ${label}`}>
        <button type="button" className="viewer-btn" onClick={act((s) => s.rotate(-turn, 0))} disabled={!ready} aria-label="Turn left" title="Turn left (←)">
          <span aria-hidden="true">⟲</span>
        </button>
        <button type="button" className="viewer-btn" onClick={act((s) => s.rotate(turn, 0))} disabled={!ready} aria-label="Turn right" title="Turn right (→)">
          <span aria-hidden="true">⟳</span>
        </button>
        <button type="button" className="viewer-btn" onClick={act((s) => s.rotate(0, -turn))} disabled={!ready} aria-label="Tilt up" title="Tilt up (↑)">
          <span aria-hidden="true">↑</span>
        </button>
        <button type="button" className="viewer-btn" onClick={act((s) => s.rotate(0, turn))} disabled={!ready} aria-label="Tilt down" title="Tilt down (↓)">
          <span aria-hidden="true">↓</span>
        </button>
        <button type="button" className="viewer-btn" onClick={act((s) => s.zoom(0.8))} disabled={!ready} aria-label="Zoom in" title="Zoom in (+)">
          <span aria-hidden="true">+</span>
        </button>
        <button type="button" className="viewer-btn" onClick={act((s) => s.zoom(1.25))} disabled={!ready} aria-label="Zoom out" title="Zoom out (−)">
          <span aria-hidden="true">−</span>
        </button>
        <button type="button" className="viewer-btn viewer-btn-text" onClick={act((s) => s.reset())} disabled={!ready} title="Reset the view (0)">
          Reset view
        </button>
        <button type="button" className="viewer-btn viewer-btn-text" onClick={() => setAutoRotate((on) => !on)} disabled={!ready} aria-pressed={autoRotate} title="Turn continuously (A)">
          Auto-rotate
        </button>
      </div>
      <figcaption id={helpId} className="viewer-help">
        {label}. Drag to turn it all the way round, scroll or pinch to zoom. With the keyboard, focus the view, then: arrow keys turn, + and − zoom, 0 resets, A
        starts or stops turning.
      </figcaption>
      <p className="viewer-sr" role="status" aria-live="polite">
        {ready ? `3D view ready: ${state.triangles.toLocaleString()} triangles.` : state.phase === 'missing' ? 'No preview yet.' : ''}
      </p>
    </figure>
  );
}
