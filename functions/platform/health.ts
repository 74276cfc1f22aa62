/**
 * Health of the service: each dependency is probed (with a time limit) and the service is `ok` only when
 * every probe succeeds. Pure over the probe functions; the adapters are in dependency-probes.ts.
 */
export interface DependencyProbe {
  name: string;
  check(): Promise<void>;
}

export interface DependencyHealth {
  status: 'up' | 'down';
  latencyMs: number;
  detail?: string;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  dependencies: Record<string, DependencyHealth>;
}

async function runProbe(
  probe: DependencyProbe,
  timeoutMs: number,
  now: () => number,
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
    return { status: 'up', latencyMs: Math.round(now() - started) };
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { status: 'down', latencyMs: Math.round(now() - started), detail: detail.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(
  probes: DependencyProbe[],
  { timeoutMs = 2_000, now = () => performance.now() }: { timeoutMs?: number; now?: () => number } = {},
): Promise<HealthReport> {
  const results = await Promise.all(probes.map((probe) => runProbe(probe, timeoutMs, now)));
  const dependencies = Object.fromEntries(
    probes.map((probe, i) => [probe.name, results[i] as DependencyHealth]),
  );
  return {
    status: results.every((result) => result.status === 'up') ? 'ok' : 'degraded',
    dependencies,
  };
}
