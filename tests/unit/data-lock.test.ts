import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acquireDataLock,
  assertDataFolderFree,
  DataFolderLockedError,
  lockFileOf,
} from '../../infra/local/data-lock';

/** The data folder's lock: one owner at a time, a dead owner's lock taken over, released by its owner only. */
const dirs: string[] = [];
const children: ChildProcess[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-lock-'));
  dirs.push(dir);
  return dir;
};
/** A process that is alive for the test's duration. */
const livePid = () => {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  return child.pid as number;
};
/** The pid of a process that has exited. */
const deadPid = () => spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
const writeLock = (dir: string, pid: number | string) =>
  writeFileSync(
    lockFileOf(dir),
    JSON.stringify({ pid: Number(pid), startedAt: '2030-01-01T00:00:00.000Z', ports: { gateway: 3999 } }),
  );

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('data folder lock', () => {
  it('records pid, start time and ports, and removes the file on release', () => {
    const dir = tempDir();
    const lock = acquireDataLock(dir, { gateway: 3000 });
    expect(lock.tookOver).toBeUndefined();
    const written = JSON.parse(readFileSync(lockFileOf(dir), 'utf8'));
    expect(written).toMatchObject({ pid: process.pid, ports: { gateway: 3000 } });
    expect(Number.isNaN(Date.parse(written.startedAt))).toBe(false);
    lock.release();
    expect(existsSync(lockFileOf(dir))).toBe(false);
  });

  it('refuses a second owner while the first one lives, naming its pid', () => {
    const dir = tempDir();
    const owner = livePid();
    writeLock(dir, owner);
    expect(() => acquireDataLock(dir, { gateway: 3001 })).toThrow(DataFolderLockedError);
    expect(() => acquireDataLock(dir, { gateway: 3001 })).toThrow(new RegExp(`in use by pid ${owner}\\b`));
    expect(() => assertDataFolderFree(dir, 'npm run reset')).toThrow(
      new RegExp(`pid ${owner}\\b.*npm run reset`),
    );
    // The owner's lock is untouched.
    expect(JSON.parse(readFileSync(lockFileOf(dir), 'utf8')).pid).toBe(owner);
  });

  it('takes over the lock of an owner that died, and says whose it was', () => {
    const dir = tempDir();
    const dead = deadPid();
    writeLock(dir, dead);
    expect(assertDataFolderFree(dir, 'npm run reset')?.pid).toBe(Number(dead));
    const lock = acquireDataLock(dir, { gateway: 3002 });
    expect(lock.tookOver?.pid).toBe(Number(dead));
    expect(JSON.parse(readFileSync(lockFileOf(dir), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('does not remove a lock that another process has taken since', () => {
    const dir = tempDir();
    const lock = acquireDataLock(dir, {});
    const other = livePid();
    writeLock(dir, other);
    lock.release();
    expect(JSON.parse(readFileSync(lockFileOf(dir), 'utf8')).pid).toBe(other);
  });
});
