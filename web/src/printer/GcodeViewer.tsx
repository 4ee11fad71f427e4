// The toolpath viewer: a G-code file from the operator's own computer, read in this browser (never uploaded), drawn
// one layer at a time from above (extrusions and travels in different colours, the layer below in grey), with a
// labelled, keyboard-operable layer slider. Print files on the platform are sealed to their printer, so the platform
// has no G-code to show a browser, by design.
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Link } from 'react-router';
import { RequireRole } from '../app/guards';
import { ErrorMessage, Progress } from '../ui/kit';
import { parseGcodeFile, type Toolpath } from './gcode';
import './printer.css';

export function GcodeViewerPage() {
  return (
    <RequireRole roles={['printer']}>
      <Viewer />
    </RequireRole>
  );
}

const maxBytes = 1024 * 1024 * 1024;

function Viewer() {
  const [file, setFile] = useState<{ name: string; size: number }>();
  const [progress, setProgress] = useState<number>();
  const [toolpath, setToolpath] = useState<Toolpath>();
  const [layer, setLayer] = useState(1);
  const [error, setError] = useState<unknown>();
  const [dragging, setDragging] = useState(false);
  const running = useRef<AbortController | undefined>(undefined);

  async function open(f: File) {
    running.current?.abort();
    const ac = new AbortController();
    running.current = ac;
    setError(undefined);
    setToolpath(undefined);
    setFile({ name: f.name, size: f.size });
    if (/\.sealed$/i.test(f.name)) {
      setError(new Error(`${f.name} is a sealed print file: only the printer it was made for can open it. Open the G-code your slicer wrote instead.`));
      return;
    }
    if (f.size > maxBytes) {
      setError(new Error(`${f.name} is ${(f.size / 1e9).toFixed(1)} GB; this viewer opens files up to 1 GB.`));
      return;
    }
    setProgress(0);
    try {
      const t = await parseGcodeFile(f, (read, size) => !ac.signal.aborted && setProgress(size ? read / size : 1), ac.signal);
      if (ac.signal.aborted) return;
      if (t.layers.length === 0) {
        setError(new Error(`No extruding moves in ${f.name} (${t.lines} lines read). Is it a G-code file? Choose the .gcode file your slicer wrote.`));
        return;
      }
      setToolpath(t);
      setLayer(t.layers.length);
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError(new Error(`${f.name} could not be read: ${(err as Error).message}`));
    } finally {
      if (running.current === ac) setProgress(undefined);
    }
  }

  useEffect(() => () => running.current?.abort(), []);

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer.files[0];
    if (f) void open(f);
  }

  const current = toolpath?.layers[layer - 1];
  return (
    <>
      <p>
        <Link to="/printer">← Your printers</Link>
      </p>
      <h1>G-code viewer</h1>
      <section className="card">
        <p>
          Open a G-code file from this computer to see its toolpath layer by layer. The file is read here, in your browser, and never uploaded.
        </p>
        <details>
          <summary>Why not the files of my jobs?</summary>
          <p>
            A job’s print file is sealed to the printer that prints it: only that printer can open it, and its agent deletes the opened G-code when the job ends.
            DPM keeps no readable G-code to show a browser, by design. To look at a print, open the G-code your slicer wrote, or slice a model you have with{' '}
            <code>npx dpm slice model.stl --out model.gcode</code> (the same slicer the platform uses).
          </p>
        </details>
        <div
          className={`dropzone${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <label htmlFor="gcode-file">G-code file</label>
          <input
            id="gcode-file"
            type="file"
            accept=".gcode,.gco,.g,.nc,text/x-gcode,text/plain"
            aria-describedby="gcode-file-hint"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void open(f);
            }}
          />
          <small id="gcode-file-hint" className="hint">
            Choose a file, or drop one here.
          </small>
        </div>
        {progress !== undefined && file && <Progress value={progress} label={`Reading ${file.name}: ${Math.round(progress * 100)} %`} />}
        <ErrorMessage error={error} />
      </section>
      {toolpath && current && file && (
        <section className="card viewer" aria-labelledby="viewer-title">
          <h2 id="viewer-title">{file.name}</h2>
          <p className="muted">
            {toolpath.layers.length} layers · {toolpath.lines.toLocaleString()} lines · {(toolpath.filamentMm / 1000).toFixed(2)} m of filament
          </p>
          <div className="layer-control">
            <label htmlFor="layer-slider">Layer</label>
            <input
              id="layer-slider"
              type="range"
              min={1}
              max={toolpath.layers.length}
              step={1}
              value={layer}
              aria-valuetext={`Layer ${layer} of ${toolpath.layers.length}, Z ${current.z.toFixed(2)} mm`}
              onChange={(e) => setLayer(Number(e.target.value))}
            />
            <output htmlFor="layer-slider" id="layer-label">
              Layer {layer} of {toolpath.layers.length} · Z {current.z.toFixed(2)} mm
            </output>
          </div>
          <LayerCanvas toolpath={toolpath} index={layer - 1} />
          <ul className="legend" aria-label="Legend">
            <li>
              <span className="swatch extrusion" aria-hidden="true" /> Extrusion ({current.extrusions.length / 4} moves, {current.filamentMm.toFixed(1)} mm of filament)
            </li>
            <li>
              <span className="swatch travel" aria-hidden="true" /> Travel ({current.travels.length / 4} moves)
            </li>
            <li>
              <span className="swatch below" aria-hidden="true" /> The layer below
            </li>
          </ul>
        </section>
      )}
    </>
  );
}

const colours = { extrusion: '#c2410c', travel: '#1d4ed8', below: '#c7cdd4' };

function LayerCanvas({ toolpath, index }: { toolpath: Toolpath; index: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const el = canvas.current?.parentElement;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => entry && setWidth(Math.max(200, Math.floor(entry.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const b = toolpath.bounds;
  const dx = Math.max(1, b.maxX - b.minX);
  const dy = Math.max(1, b.maxY - b.minY);
  const height = Math.min(Math.round(width * (dy / dx)), 640);
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = width * dpr;
    c.height = height * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const margin = 12;
    const scale = Math.min((width - 2 * margin) / dx, (height - 2 * margin) / dy);
    const ox = (width - dx * scale) / 2;
    const oy = (height - dy * scale) / 2;
    // Seen from above: Y grows up the screen, as on the bed.
    const px = (x: number) => ox + (x - b.minX) * scale;
    const py = (y: number) => height - (oy + (y - b.minY) * scale);
    const stroke = (segs: number[], colour: string, lineWidth: number, dash: number[] = []) => {
      ctx.beginPath();
      for (let i = 0; i + 3 < segs.length; i += 4) {
        ctx.moveTo(px(segs[i]!), py(segs[i + 1]!));
        ctx.lineTo(px(segs[i + 2]!), py(segs[i + 3]!));
      }
      ctx.strokeStyle = colour;
      ctx.lineWidth = lineWidth;
      ctx.setLineDash(dash);
      ctx.stroke();
    };
    const below = toolpath.layers[index - 1];
    if (below) stroke(below.extrusions, colours.below, 1.5);
    const layer = toolpath.layers[index];
    if (!layer) return;
    stroke(layer.extrusions, colours.extrusion, Math.max(1.2, Math.min(3, 0.45 * scale)));
    stroke(layer.travels, colours.travel, 1, [4, 3]);
  }, [toolpath, index, width, height, dx, dy, b.minX, b.minY]);
  const layer = toolpath.layers[index];
  return (
    <div className="canvas-wrap">
      <canvas
        ref={canvas}
        style={{ width: `${width}px`, height: `${height}px` }}
        role="img"
        aria-label={`Toolpath of layer ${index + 1} of ${toolpath.layers.length} seen from above, at Z ${layer?.z.toFixed(2) ?? '?'} mm`}
      />
    </div>
  );
}
