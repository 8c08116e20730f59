import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EmbeddedPostgresError } from './embedded-access.ts';
import { isRunning } from './data-folder-lock.ts';

/** Whether `pid` still runs: not gone, and not a zombie waiting for a parent that does not reap it (Linux). */
export function alive(pid: number): boolean {
  if (!isRunning(pid)) return false;
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

async function exitOf(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * A PostgreSQL still serving `databaseDir` although the process that ran it
 * is gone (a gateway killed with SIGKILL leaves its PostgreSQL running, on a
 * port nobody knows): its process id, from the server's own postmaster.pid.
 */
export async function orphanedPostgres(databaseDir: string): Promise<number | undefined> {
  const lines = (await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || path.resolve(lines[1] ?? '') !== path.resolve(databaseDir) || !alive(pid)) return undefined;
  let command: string | undefined;
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    command = undefined;
  }
  return command === undefined || command.includes('postgres') ? pid : undefined;
}

/**
 * Stops that PostgreSQL the way `pg_ctl stop` does (SIGINT: fast shutdown,
 * open transactions roll back, the data stays consistent), then SIGQUIT if
 * it has not stopped within 15 s.
 */
export async function stopOrphanedPostgres(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
    if (await exitOf(pid, 15_000)) return;
    process.kill(pid, 'SIGQUIT');
    if (await exitOf(pid, 5_000)) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
    throw new EmbeddedPostgresError(`Could not stop the PostgreSQL (process ${pid}) left running by an earlier gateway: ${(error as Error).message}; stop it yourself (kill ${pid}) and start again.`);
  }
  throw new EmbeddedPostgresError(`The PostgreSQL (process ${pid}) left running by an earlier gateway did not stop: stop it yourself (kill -9 ${pid}) and start again.`);
}
