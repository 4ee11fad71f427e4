// Small inline SVG charts with their text alternative: each chart is an image whose label reads out its values.
import { useId } from 'react';

export interface Sample {
  at: string;
  value: number;
}

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** One bar per sample (per minute), scaled to the largest; the label lists every value with its minute. */
export function Bars({ samples, label, unit = '' }: { samples: Sample[]; label: string; unit?: string }) {
  const id = useId();
  const w = 240;
  const h = 48;
  const max = Math.max(1, ...samples.map((s) => s.value));
  const bw = w / Math.max(1, samples.length);
  const text = `${label}: ${samples.map((s) => `${time(s.at)} ${s.value}${unit}`).join(', ') || 'no data yet'}`;
  return (
    <svg className="chart" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-labelledby={id}>
      <title id={id}>{text}</title>
      <line x1="0" y1={h - 0.5} x2={w} y2={h - 0.5} className="chart-axis" />
      {samples.map((s, i) => {
        const bh = s.value === 0 ? 0 : Math.max(2, (s.value / max) * (h - 4));
        return <rect key={s.at} x={i * bw + 1} y={h - bh} width={Math.max(1, bw - 2)} height={bh} className="chart-bar" />;
      })}
    </svg>
  );
}

/** A line through the samples (gauges sampled by this page while it is open). */
export function Sparkline({ samples, label, unit = '' }: { samples: Sample[]; label: string; unit?: string }) {
  const id = useId();
  const w = 240;
  const h = 48;
  const max = Math.max(1, ...samples.map((s) => s.value));
  const step = samples.length > 1 ? w / (samples.length - 1) : 0;
  const points = samples.map((s, i) => `${(i * step).toFixed(1)},${(h - 2 - (s.value / max) * (h - 6)).toFixed(1)}`).join(' ');
  const text = `${label}: ${samples.map((s) => `${new Date(s.at).toLocaleTimeString()} ${s.value}${unit}`).join(', ') || 'no samples yet'}`;
  return (
    <svg className="chart" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-labelledby={id}>
      <title id={id}>{text}</title>
      <line x1="0" y1={h - 0.5} x2={w} y2={h - 0.5} className="chart-axis" />
      {samples.length > 1 && <polyline points={points} className="chart-line" />}
      {samples.length === 1 && <circle cx={w / 2} cy={h - 2 - (samples[0]!.value / max) * (h - 6)} r="2.5" className="chart-dot" />}
    </svg>
  );
}
