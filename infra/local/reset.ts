import { rmSync } from 'node:fs';
import { localDataDir } from './data-dir';

/** `npm run reset`: deletes the local stack's data (tables, objects, clock, issuer key). Stop it first. */
const dir = localDataDir();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`deleted ${dir}\n`);
