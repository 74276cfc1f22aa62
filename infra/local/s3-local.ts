import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { assertPortFree, loopback } from './ports';

/**
 * The S3 stand-in (s3rver) in this process, storing objects under `directory`. It checks no signatures
 * and no presigned-POST conditions: the functions' own server-side checks are what protect uploads.
 */
export interface S3Local {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

export async function startS3Local(options: { port: number; directory: string }): Promise<S3Local> {
  const { port, directory } = options;
  await assertPortFree(port, 'S3 stand-in');
  mkdirSync(directory, { recursive: true });
  // s3rver is CommonJS without types.
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const server = new S3rver({ port, address: loopback, directory, silent: true });
  await server.run();
  return {
    endpoint: `http://${loopback}:${port}`,
    port,
    stop: () => server.close(),
  };
}
