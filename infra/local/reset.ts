import { rmSync } from 'node:fs';
import { localDataDir } from './data-dir';
import { assertDataFolderFree, DataFolderLockedError } from './data-lock';

/** `npm run reset`: deletes the local stack's data (tables, objects, clock, issuer key). Refused while it runs. */
const dir = localDataDir();
try {
  assertDataFolderFree(dir, 'npm run reset');
} catch (error) {
  if (!(error instanceof DataFolderLockedError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
}
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`deleted ${dir}\n`);
