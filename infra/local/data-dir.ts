import path from 'node:path';
import { repoRoot } from '../definitions/asl';

/** Where the local stack keeps its data between restarts (git-ignored); `npm run reset` deletes it. */
export const localDataDir = (env: NodeJS.ProcessEnv = process.env): string =>
  path.resolve(env.LOCAL_DATA_DIR ?? path.join(repoRoot, '.local'));
