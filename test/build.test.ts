import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from '../scripts/build.mjs';

const root = path.resolve(import.meta.dirname, '..');

/**
 * `npm start` builds the bundle through buildGateway: in a copy of the
 * sources (the repository's own dist/ is left to the tests that start it).
 */
describe('the gateway bundle (scripts/build.mjs)', () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(path.join(tmpdir(), 'gateway-build-'));
    for (const entry of ['src', 'prisma', 'tsconfig.json', 'package.json']) await cp(path.join(root, entry), path.join(copy, entry), { recursive: true });
    await symlink(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  });
  afterAll(() => rm(copy, { recursive: true, force: true }));

  it('builds once, skips the build while no input changed, and builds again after an edit to src/', async () => {
    expect(await buildGateway({ root: copy })).toBe(true);
    expect(existsSync(path.join(copy, 'dist/server/main.js'))).toBe(true);
    // A second start: the same sources, so the same bundle.
    expect(await buildGateway({ root: copy })).toBe(false);
    // A file written again with the same content (a checkout, a save without changes) is no change.
    const readiness = path.join(copy, 'src/readiness.ts');
    const source = await readFile(readiness, 'utf8');
    await writeFile(readiness, source);
    expect(await buildGateway({ root: copy })).toBe(false);

    await writeFile(readiness, source.replace("'the gateway is shutting down'", "'the gateway is shutting down (edited)'"));
    expect(await buildGateway({ root: copy })).toBe(true);
    const files = (await readdir(path.join(copy, 'dist/server'))).filter((file) => file.endsWith('.js'));
    const bundle = (await Promise.all(files.map((file) => readFile(path.join(copy, 'dist/server', file), 'utf8')))).join('');
    expect(bundle).toContain('the gateway is shutting down (edited)');
    expect(await buildGateway({ root: copy })).toBe(false);
  });

  it('builds again when a file of the bundle is missing', async () => {
    await rm(path.join(copy, 'dist/server/main.js'));
    expect(await buildGateway({ root: copy })).toBe(true);
    expect(existsSync(path.join(copy, 'dist/server/main.js'))).toBe(true);
  });
});
