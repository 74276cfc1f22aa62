import type { Context } from 'aws-lambda';
import { createLambdaContext } from './lambda-context';

/**
 * The local stand-in of EventBridge Scheduler for the registry's scheduled functions: each runs every
 * `rate(…)` of the stack's clock (virtual time, so an accelerated stack runs them as often as its
 * deployment would in the same virtual span), at most once a second of real time, never overlapping
 * itself. A failed run is logged once per distinct error and retried at the next tick, as a schedule
 * with retries would be.
 */
export interface ScheduledFunction {
  id: string;
  functionName: string;
  expression: string;
  handler: (event: unknown, context: Context) => Promise<unknown>;
}

const units: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** `rate(5 minutes)` → 300 000 ms; anything else (a cron expression) is not run locally. */
export function rateMs(expression: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (!match) throw new Error(`schedule ${expression}: only rate(N minutes|hours|days) runs locally`);
  const [, count, unit] = match;
  const ms = Number(count) * (units[unit as string] as number);
  if (ms <= 0) throw new Error(`schedule ${expression}: the rate must be positive`);
  return ms;
}

export function startLocalScheduler(options: {
  functions: ScheduledFunction[];
  clockSpeed: number;
  log: (line: string) => void;
}): { stop(): Promise<void> } {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  for (const fn of options.functions) {
    const everyMs = Math.max(1_000, rateMs(fn.expression) / options.clockSpeed);
    let busy = false;
    let lastError = '';
    const tick = () => {
      if (busy) return;
      busy = true;
      const run = fn
        .handler(
          { source: 'local.scheduler', 'detail-type': 'Scheduled Event' },
          createLambdaContext(fn.functionName),
        )
        .then(
          () => {
            lastError = '';
          },
          (error: Error) => {
            const message = `${error.name}: ${error.message}`;
            if (message !== lastError) options.log(`scheduler: ${fn.id}: ${message}`);
            lastError = message;
          },
        )
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    const timer = setInterval(tick, everyMs);
    timer.unref();
    timers.push(timer);
  }
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
