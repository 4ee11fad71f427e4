// What the printer pages read from the API, typed from the domain's own view types (type imports only), and a
// polling hook for the dashboard.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Material } from '../../../shared/designs/printability';
import type { OperatorJobView } from '../../../shared/orders/operator-jobs';
import type { paymentHistory } from '../../../shared/payments/accounting';
import type { MyPrinterView } from '../../../shared/printers/manage-printer';

export type { MyPrinterView, OperatorJobView };
export { alertText, telemetryOf, type Telemetry } from './telemetry';
export type PaymentAccount = Awaited<ReturnType<typeof paymentHistory>>[number];

/** The materials a printer can load (the domain's list; `satisfies` keeps the two in step). */
export const materialOptions = ['PLA', 'PETG', 'ABS', 'ASA', 'TPU', 'PA'] as const satisfies readonly Material[];

/** How often the dashboard asks again while it is open. Polling, not a push channel: a few seconds is fresh enough here. */
export const refreshMs = 5000;

export interface Poll<T> {
  data: T | undefined;
  error: unknown;
  /** When the data shown was fetched. */
  updatedAt: Date | undefined;
  reload(): void;
}

/**
 * Loads now and again every `ms` while the page is visible. A failed refresh keeps the last data (with the error
 * beside it), so a blip does not blank the dashboard.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, ms: number): Poll<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; updatedAt?: Date }>({});
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    loadRef.current(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, updatedAt: new Date() }),
      (error: unknown) => !ac.signal.aborted && (error as Error).name !== 'AbortError' && setState((s) => ({ ...s, error })),
    );
    const timer = setTimeout(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, ms);
    const onVisible = () => document.visibilityState === 'visible' && setTick((t) => t + 1);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      ac.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [tick, ms]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, updatedAt: state.updatedAt, reload };
}

/** Field errors from a 400's `details.issues` (zod paths such as `profile.bed.x`), by path. */
export function fieldErrors(details: unknown): Record<string, string> {
  const issues = (details as { issues?: { path?: string; message?: string }[] } | undefined)?.issues;
  const out: Record<string, string> = {};
  for (const i of issues ?? []) if (i.path !== undefined && i.message && !out[i.path]) out[i.path] = i.message;
  return out;
}
