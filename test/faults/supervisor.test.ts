import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { childrenOf } from '../support/processes.ts';
import { inject } from 'vitest';
import { adminQuery } from '../support/admin.ts';
import { databaseUrl } from '../support/database-url.ts';
import { eventually, waitForBanner } from './support.ts';

const root = path.resolve(import.meta.dirname, '../..');
let launcher: ChildProcess | undefined;
afterAll(() => {
  // SIGTERM, which the launcher passes on: SIGKILL would leave the gateway running.
  if (launcher?.exitCode === null) launcher.kill('SIGTERM');
});

const typename = (url: string) =>
  fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then((response) => response.json());

describe.runIf(process.platform === 'linux')('npm start as a supervisor', () => {
  it('restarts a gateway that was killed, says so, and still stops cleanly on SIGTERM', async () => {
    const name = `supervisor_${randomUUID().replaceAll('-', '')}`;
    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
    launcher = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl(inject('adminDatabaseUrl'), name), PORT: '0', HOST: '127.0.0.1', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'supervisor-')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const first = await waitForBanner(() => output, launcher);
    expect(await typename(first)).toEqual({ data: { __typename: 'Query' } });
    const [gateway] = childrenOf(launcher.pid!);

    const before = output.length;
    process.kill(gateway!, 'SIGKILL');
    const second = await waitForBanner(() => output, launcher, before);
    expect(output.slice(before)).toMatch(/the gateway was killed by SIGKILL after [\d.]+ s; restarting it in 0\.5 s/);
    expect(await typename(second)).toEqual({ data: { __typename: 'Query' } });
    await eventually(() => childrenOf(launcher!.pid!).length === 1, 5_000, 'one gateway');
    expect(childrenOf(launcher.pid!)).not.toContain(gateway);

    const exited = new Promise<number | null>((resolve) => launcher!.once('exit', (code) => resolve(code)));
    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(typename(second)).rejects.toThrow();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }, 90_000);

  it('gives up on a gateway that cannot start, after a few attempts, exiting as it did', async () => {
    const failing = spawn(process.execPath, ['scripts/start.mjs'], { cwd: root, env: { ...process.env, PORT: 'not-a-port' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    failing.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => failing.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(1);
    expect(output.match(/Invalid configuration/g)).toHaveLength(3);
    expect(output).toMatch(/exited with code 1 3 times within 5 s of starting; giving up/);
  }, 60_000);
});
