import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The lock of a data folder: one running stack owns it. Without it a second `npm start` on the same
 * folder would resume every open case in its own runner (each case then runs twice), and `npm run reset`
 * would delete the files a running stack is writing. The file names the owner (pid, start, ports) so the
 * refusal can say whom to stop; a lock whose pid is gone is left over from a run that did not stop
 * cleanly and is taken over.
 */
export interface DataLockInfo {
  pid: number;
  startedAt: string;
  ports: Record<string, number>;
}

export interface DataLock {
  file: string;
  /** The lock of a run that had died (its pid is gone), replaced by this one. */
  tookOver: DataLockInfo | undefined;
  /** Removes the lock if it is still this process's. */
  release(): void;
}

export class DataFolderLockedError extends Error {
  override readonly name = 'DataFolderLockedError';
  constructor(
    readonly dataDir: string,
    readonly owner: DataLockInfo,
    action: string,
  ) {
    const ports = Object.entries(owner.ports)
      .map(([name, port]) => `${name} ${port}`)
      .join(', ');
    super(
      `data folder ${dataDir} is in use by pid ${owner.pid} (started ${owner.startedAt}${ports ? `; ${ports}` : ''}): stop it (Ctrl-C where it runs, or kill ${owner.pid}) before ${action}`,
    );
  }
}

export const lockFileOf = (dataDir: string): string => path.join(dataDir, 'lock.json');

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's owner, or undefined when there is no lock or it cannot be read (a half-written file). */
export function readDataLock(dataDir: string): DataLockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(lockFileOf(dataDir), 'utf8')) as Partial<DataLockInfo>;
    return typeof info.pid === 'number' && Number.isInteger(info.pid) && info.pid > 0
      ? { pid: info.pid, startedAt: String(info.startedAt ?? 'unknown'), ports: info.ports ?? {} }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Throws DataFolderLockedError when a live process owns the folder. Returns a stale owner, if any. */
export function assertDataFolderFree(dataDir: string, action: string): DataLockInfo | undefined {
  const owner = readDataLock(dataDir);
  if (owner && isAlive(owner.pid)) throw new DataFolderLockedError(dataDir, owner, action);
  return owner;
}

export function acquireDataLock(dataDir: string, ports: Record<string, number>): DataLock {
  mkdirSync(dataDir, { recursive: true });
  const file = lockFileOf(dataDir);
  const info: DataLockInfo = { pid: process.pid, startedAt: new Date().toISOString(), ports };
  let tookOver: DataLockInfo | undefined;
  // Exclusive create: of two starts racing for the folder, one gets the file and the other sees its owner.
  let created = false;
  for (let attempt = 0; attempt < 2 && !created; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeFileSync(fd, `${JSON.stringify(info, null, 2)}\n`);
      } finally {
        closeSync(fd);
      }
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readDataLock(dataDir);
      if (owner && isAlive(owner.pid)) throw new DataFolderLockedError(dataDir, owner, 'starting another');
      tookOver = owner ?? { pid: 0, startedAt: 'unknown', ports: {} };
      rmSync(file, { force: true });
    }
  }
  if (!created) throw new Error(`data folder ${dataDir}: could not take over its lock ${file}`);
  return {
    file,
    tookOver,
    release() {
      const owner = readDataLock(dataDir);
      if (owner?.pid === info.pid && owner.startedAt === info.startedAt) rmSync(file, { force: true });
    },
  };
}
