/**
 * Health of the service: each dependency is probed (with a time limit) and the service is `ok` only when
 * every probe succeeds. Pure over the probe functions; the adapters are in dependency-probes.ts.
 *
 * The report is public (GET /health needs no token), so it says per dependency only whether it answered:
 * a probe's error names internal hosts and ports (`connect ECONNREFUSED 10.0.0.5:8000`) and goes to the
 * log through `onFailure`, never into the report.
 */
export interface DependencyProbe {
  name: string;
  check(): Promise<void>;
}

export interface DependencyHealth {
  status: 'ok' | 'unavailable';
  latencyMs: number;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  dependencies: Record<string, DependencyHealth>;
}

export interface HealthOptions {
  timeoutMs?: number;
  now?: () => number;
  /** Told why a probe failed (for the log). */
  onFailure?: (name: string, error: unknown) => void;
}

async function runProbe(
  probe: DependencyProbe,
  { timeoutMs, now, onFailure }: Required<HealthOptions>,
): Promise<DependencyHealth> {
  const started = now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok', latencyMs: Math.round(now() - started) };
  } catch (error) {
    onFailure(probe.name, error);
    return { status: 'unavailable', latencyMs: Math.round(now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(
  probes: DependencyProbe[],
  { timeoutMs = 2_000, now = () => performance.now(), onFailure = () => undefined }: HealthOptions = {},
): Promise<HealthReport> {
  const results = await Promise.all(probes.map((probe) => runProbe(probe, { timeoutMs, now, onFailure })));
  const dependencies = Object.fromEntries(
    probes.map((probe, i) => [probe.name, results[i] as DependencyHealth]),
  );
  return {
    status: results.every((result) => result.status === 'ok') ? 'ok' : 'degraded',
    dependencies,
  };
}
