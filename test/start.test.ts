import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { childrenOf } from './support/processes.ts';
import { inject } from 'vitest';
import { adminQuery } from './support/admin.ts';
import { databaseUrl } from './support/database-url.ts';

const root = path.resolve(import.meta.dirname, '..');
let launcher: ChildProcess | undefined;
afterAll(() => {
  // SIGTERM, which the launcher passes on: SIGKILL would leave the gateway running.
  if (launcher?.exitCode === null) launcher.kill('SIGTERM');
});

describe('npm start (scripts/start.mjs)', () => {
  it('builds the bundle, serves GraphQL from it, and stops on SIGTERM', async () => {
    const name = `start_${randomUUID().replaceAll('-', '')}`;
    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
    launcher = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl(inject('adminDatabaseUrl'), name), PORT: '0', HOST: '127.0.0.1', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'start-')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 30 s: ${output}`)), 30_000);
      const poll = setInterval(() => {
        const found = /listening on (http:\/\/\S+)/.exec(output)?.[1];
        if (found || launcher!.exitCode !== null) {
          clearInterval(poll);
          clearTimeout(timer);
          if (found) resolve(found);
          else reject(new Error(`exited with ${launcher!.exitCode}: ${output}`));
        }
      }, 50);
    });

    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });

    if (existsSync('/proc')) {
      // The gateway runs from the bundle, with the environment scripts/build.mjs gives it.
      const children = childrenOf(launcher.pid!);
      expect(children).toHaveLength(1);
      const gateway = children[0]!;
      expect(readFileSync(`/proc/${gateway}/cmdline`, 'utf8').split('\0')).toContain('dist/server/main.js');
      expect(readFileSync(`/proc/${gateway}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');
    }

    const exited = new Promise<number | null>((resolve) => launcher!.once('exit', (code) => resolve(code)));
    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/graphql`, { method: 'POST', body: '{}' })).rejects.toThrow();
  }, 60_000);
});
