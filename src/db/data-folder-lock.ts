import { readFileSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EmbeddedPostgresError } from './embedded-access.ts';

/** Kept in DATA_DIR while a process runs the embedded PostgreSQL there: that process's id. */
export const LOCK_FILE = 'embedded-postgres.lock';

/** Whether process `pid` runs; a process of another user (EPERM) runs too. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The command line of process `pid` (Linux), to tell a process id the
 * system gave again to another program from the one that wrote it.
 */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The live process holding the lock on `dataDir`, if another one does. */
export async function lockHolder(dataDir: string): Promise<number | undefined> {
  const pid = await readPid(path.resolve(dataDir, LOCK_FILE));
  if (pid === undefined || pid === process.pid || !isRunning(pid)) return undefined;
  // A gateway or the CLI is a node process; anything else merely inherited the number.
  const command = commandLine(pid);
  return command === undefined || command.includes('node') ? pid : undefined;
}

export interface DataFolderLock {
  release(): void;
}

/**
 * Makes this process the one that runs the embedded PostgreSQL of
 * `dataDir`: refuses while another live process holds the lock, takes over
 * a lock left by one that died. The lock goes when released or when this
 * process exits.
 */
export async function lockDataFolder(dataDir: string): Promise<DataFolderLock> {
  const file = path.resolve(dataDir, LOCK_FILE);
  for (let attempt = 0; ; attempt += 1) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const holder = await lockHolder(dataDir);
    if (holder !== undefined) {
      throw new EmbeddedPostgresError(
        `The data folder ${path.resolve(dataDir)} is in use by another gateway (process ${holder}): stop that one first, or give this one another DATA_DIR (or a DATABASE_URL).`,
      );
    }
    // Left by a process that is gone.
    rmSync(file, { force: true });
  }
  const release = () => {
    try {
      if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
    } catch {
      // Already gone.
    }
  };
  process.once('exit', release);
  return {
    release: () => {
      process.removeListener('exit', release);
      release();
    },
  };
}
