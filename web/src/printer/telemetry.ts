// A printer's reported shadow is the device's free-form word: what the dashboard shows of it is checked field by
// field. No imports, so the unit tests can load it under the server's module settings.

export interface Telemetry {
  nozzleC?: number;
  bedC?: number;
  material?: { type: string; levelPct: number };
  job?: string;
  progress?: { jobId: string; layer: number; layers: number; percent: number };
  alerts: { type: string; at: string; jobId?: string; detail?: string }[];
  approveJobs?: boolean;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

export function telemetryOf(reported: Record<string, unknown> | null): Telemetry {
  const r = reported ?? {};
  const m = obj(r.material);
  const p = obj(r.progress);
  const material = m && str(m.type) && num(m.levelPct) !== undefined ? { type: str(m.type)!, levelPct: num(m.levelPct)! } : undefined;
  const progress =
    p && str(p.jobId) && num(p.layer) !== undefined && num(p.layers) !== undefined && num(p.percent) !== undefined
      ? { jobId: str(p.jobId)!, layer: num(p.layer)!, layers: num(p.layers)!, percent: num(p.percent)! }
      : undefined;
  const alerts = Array.isArray(r.alerts)
    ? r.alerts.flatMap((a) => {
        const o = obj(a);
        return o && str(o.type) && str(o.at) ? [{ type: str(o.type)!, at: str(o.at)!, ...(str(o.jobId) ? { jobId: str(o.jobId)! } : {}), ...(str(o.detail) ? { detail: str(o.detail)! } : {}) }] : [];
      })
    : [];
  return {
    ...(num(r.nozzleC) !== undefined ? { nozzleC: num(r.nozzleC)! } : {}),
    ...(num(r.bedC) !== undefined ? { bedC: num(r.bedC)! } : {}),
    ...(material ? { material } : {}),
    ...(str(r.job) ? { job: str(r.job)! } : {}),
    ...(progress ? { progress } : {}),
    alerts,
    ...(typeof r.approveJobs === 'boolean' ? { approveJobs: r.approveJobs } : {}),
  };
}

/** An alert type as a sentence. */
export function alertText(type: string): string {
  const known: Record<string, string> = {
    'filament-runout': 'Filament ran out',
    'thermal-runaway': 'Thermal alert: heaters shut down',
    'invalid-job': 'A job message could not be read',
    'tag-not-written': 'An NFC tag could not be written',
    'unknown-decision': 'A decision arrived for an offer the printer no longer holds',
  };
  return known[type] ?? type.replace(/-/g, ' ');
}
