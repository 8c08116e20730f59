import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, LOCK_FILE } from '../../src/db/data-folder-lock.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { alive } from '../../src/db/orphaned-postgres.ts';
import { waitForBanner } from '../faults/support.ts';

const root = path.resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;

/** A folder every user may enter: as root, PostgreSQL runs as the user postgres, which must reach it. */
async function openFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(folder, 0o755);
  return folder;
}

/** `npm start`'s gateway (src/main.ts) on the embedded PostgreSQL under `dataDir`. */
function startGateway(dataDir: string, extra: Record<string, string> = {}) {
  const environment: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', RATE_LIMITS: 'false', ...extra };
  delete environment.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, output: () => output, exited, url: () => waitForBanner(() => output, child, 0, 60_000) };
}

async function postmasterPid(dataDir: string): Promise<number> {
  return Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
}

describe('the embedded PostgreSQL', () => {
  it('initialises a cluster without ever writing the password file into the shared temporary folder', async () => {
    const shared = await openFolder('shared-tmp-');
    const dataDir = await openFolder('embedded-');
    const previous = process.env.TMPDIR;
    const written: string[] = [];
    const watcher = watch(shared, (_event, name) => name && written.push(name));
    process.env.TMPDIR = shared;
    try {
      const server = await startEmbeddedPostgres(dataDir, { persistent: false });
      await server.stop();
    } finally {
      watcher.close();
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
    // Only the private folder the password went into appeared there, and it is gone.
    expect(written.length).toBeGreaterThan(0);
    expect(written.filter((name) => !name.startsWith('embedded-postgres-'))).toEqual([]);
    expect(await readdir(shared)).toEqual([]);
    await rm(shared, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it.runIf(isRoot)('as root, refuses a data folder the postgres user cannot enter in one sentence that says what to do, leaving no password file', async () => {
    const closed = await mkdtemp(path.join(tmpdir(), 'closed-'));
    const shared = await openFolder('shared-tmp-');
    const gateway = startGateway(path.join(closed, 'data'), { TMPDIR: shared });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output().trim()).toBe(
      `Failed to start: Running as root, the embedded PostgreSQL runs as the user "postgres", which cannot enter ${closed} (mode 0700) to reach the data folder (${path.join(closed, 'data')}): ` +
        `run npm start as an ordinary user, let others enter that folder (chmod o+x ${closed}), set DATA_DIR to a folder others can enter, or set DATABASE_URL to a PostgreSQL of your own.`,
    );
    expect((await readdir(shared)).filter((name) => name.startsWith('pg-password') || name.startsWith('embedded-postgres-'))).toEqual([]);
    await rm(closed, { recursive: true, force: true });
    await rm(shared, { recursive: true, force: true });
  }, 30_000);

  describe('one gateway per data folder', () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await openFolder('data-folder-');
    });
    afterAll(() => rm(dataDir, { recursive: true, force: true }));

    it('refuses a second gateway on the same data folder, naming the first, which carries on', async () => {
      const first = startGateway(dataDir);
      try {
        const url = await first.url();
        const second = startGateway(dataDir);
        expect(await second.exited).toBe(1);
        expect(second.output()).toContain(
          `Failed to start: The data folder ${dataDir} is in use by another gateway (process ${first.child.pid}): stop that one first, or give this one another DATA_DIR (or a DATABASE_URL).`,
        );
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
        expect(Number(await readFile(path.join(dataDir, LOCK_FILE), 'utf8'))).toBe(first.child.pid);
      } finally {
        first.child.kill('SIGTERM');
        expect(await first.exited).toBe(0);
      }
      expect(await readdir(dataDir)).not.toContain(LOCK_FILE);
    }, 90_000);

    it('stops the PostgreSQL a killed gateway left running, says so, and starts its own', async () => {
      const killed = startGateway(dataDir);
      await killed.url();
      const orphan = await postmasterPid(dataDir);
      killed.child.kill('SIGKILL');
      await killed.exited;
      expect(isRunning(orphan)).toBe(true);

      const next = startGateway(dataDir);
      try {
        const url = await next.url();
        expect(next.output()).toContain(
          `The embedded PostgreSQL (process ${orphan}) of a gateway that did not shut down is still running on ${dataDir}: stopping it and starting it again.`,
        );
        // Not running, or a zombie its (killed) parent can no longer reap: either way it serves nothing.
        expect(alive(orphan)).toBe(false);
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
      } finally {
        next.child.kill('SIGTERM');
        expect(await next.exited).toBe(0);
      }
      const own = await postmasterPid(dataDir).catch(() => undefined);
      expect(own === undefined || !isRunning(own)).toBe(true);
    }, 90_000);
  });
});
