// Use case: ask each component whether it answers, in parallel, each under a deadline.

export interface ComponentStatus {
  ok: boolean;
  detail?: string;
  latencyMs: number;
}

export type Probe = () => Promise<{ ok: boolean; detail?: string }>;

export interface HealthReport {
  status: 'ok' | 'degraded';
  components: Record<string, ComponentStatus>;
}

export interface CheckHealthDeps {
  probes: Record<string, Probe>;
  /** Milliseconds clock, passed in so tests control time. */
  now: () => number;
  timeoutMs: number;
}

export async function checkHealth(deps: CheckHealthDeps): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(deps.probes).map(async ([name, probe]): Promise<[string, ComponentStatus]> => {
      const started = deps.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race([
          probe(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${deps.timeoutMs} ms`)), deps.timeoutMs);
          }),
        ]);
        return [name, { ...result, latencyMs: deps.now() - started }];
      } catch (err) {
        return [name, { ok: false, detail: (err as Error).message, latencyMs: deps.now() - started }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const components = Object.fromEntries(entries);
  return { status: entries.every(([, c]) => c.ok) ? 'ok' : 'degraded', components };
}

/**
 * A health check that asks the components at most once per `maxAgeMs` and shares one in-flight round
 * between concurrent callers, so a flood of health checks never becomes a flood on the stores behind them.
 */
export function cachedHealthCheck(deps: CheckHealthDeps & { maxAgeMs: number }): () => Promise<HealthReport & { checkedAt: number }> {
  let last: { at: number; report: Promise<HealthReport> } | undefined;
  return async () => {
    const now = deps.now();
    if (!last || now - last.at >= deps.maxAgeMs) {
      const round = { at: now, report: checkHealth(deps) };
      last = round;
      // A failed round must not be served from the cache.
      round.report.catch(() => {
        if (last === round) last = undefined;
      });
    }
    const at = last.at;
    return { ...(await last.report), checkedAt: at };
  };
}
