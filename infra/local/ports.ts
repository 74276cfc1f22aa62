import net from 'node:net';

export const loopback = '127.0.0.1';

/*
 * Auto-chosen ports come from below the kernel's ephemeral range (32768–60999 on Linux): a port the OS
 * handed out with listen(0) and we released can be taken by any outbound connection before a stand-in
 * binds it (seen as EADDRINUSE in tests). Outbound sockets never use this range, and the random start
 * keeps parallel test workers apart.
 */
const autoPortRange = { from: 20_000, to: 32_000 } as const;

/** A port that is free now and not one the OS gives to outbound connections (tests use these). */
export async function freePort(): Promise<number> {
  const span = autoPortRange.to - autoPortRange.from;
  const start = Math.floor(Math.random() * span);
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = autoPortRange.from + ((start + attempt * 7919) % span);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port between ${autoPortRange.from} and ${autoPortRange.to}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, loopback, () => server.close(() => resolve(true)));
  });
}

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly service: string,
  ) {
    super(`port ${port} (${service}) is already in use: stop whatever holds it or choose another port`);
  }
}

/** Fails fast with a clear message when `port` is taken, instead of a stand-in hanging or dying obscurely. */
export async function assertPortFree(port: number, service: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, service) : error),
    );
    server.listen(port, loopback, () => server.close(() => resolve()));
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  {
    timeoutMs = 30_000,
    intervalMs = 100,
    abort,
  }: { timeoutMs?: number; intervalMs?: number; abort?: () => Error | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const aborted = abort?.();
    if (aborted) throw aborted;
    try {
      return await probe();
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms: ${String(lastError)}`);
}
