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
