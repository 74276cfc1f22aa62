import net from 'node:net';

export const loopback = '127.0.0.1';

/** A port the OS says is free now (tests use these so two runs never collide). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, loopback, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
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
