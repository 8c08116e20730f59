/**
 * How the gateway runs in production (`npm start`, the Dockerfile, the
 * bench): its own code bundled into one JavaScript file, with Node's flags
 * and environment from issue #5.
 *
 * - Bundled: packages stay imports of node_modules. Plain JavaScript spares
 *   the tsx loader, whose module hooks run in a thread with a V8 heap of its
 *   own. The output sits two folders below the root, as src/db/migrate.ts
 *   does, so the paths it resolves from import.meta.url hold in both.
 * - A capped old space keeps the heap small under load; 16 MB semi-spaces
 *   keep scavenges cheap (8 MB made availability ~4 ms slower).
 * - MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (V8's
 *   compiler and GC helpers, libuv's pool) a malloc arena of up to 64 MB and
 *   keeps what it frees; two arenas cut the gateway's RSS under load by
 *   about 90 MB, at no measured cost in latency. Other C libraries ignore it.
 *
 * - Split: what is imported only on demand (OpenTelemetry, src/observability/
 *   open-telemetry.ts) is a file of its own beside the entry, loaded only
 *   when asked for.
 * - Built only when something changed: the bundle keeps, beside it, the hash
 *   of every file it was made from (esbuild's list of inputs) and of how it
 *   was built; when they all hash the same, `buildGateway` keeps the bundle.
 *
 * `node scripts/build.mjs` builds (always); importing it only defines.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop, version as esbuildVersion } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The bundle, relative to the repository root. */
export const GATEWAY_ENTRY = 'dist/server/main.js';
export const GATEWAY_NODE_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=16'];
export const GATEWAY_ENV = { MALLOC_ARENA_MAX: '2' };

const OUT_DIR = 'dist/server';
/** What the last build was made from, beside it: how it was built, each input file's hash, and its output files. */
const STAMP = 'build-inputs.json';

const OPTIONS = {
  entryPoints: ['src/main.ts'],
  outdir: OUT_DIR,
  entryNames: '[name]',
  // Beside the entry, not below it: src/db/migrate.ts resolves its folder from import.meta.url as two levels down.
  chunkNames: '[name]-[hash]',
  splitting: true,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: true,
  logLevel: 'warning',
};

/**
 * Builds the bundle under `root` (the repository's by default), unless the
 * one there was made from the same files in the same way. Resolves with
 * whether it built.
 */
export async function buildGateway({ force = false, root: at = root } = {}) {
  const stampFile = path.join(at, OUT_DIR, STAMP);
  const previous = await readStamp(stampFile);
  if (!force && previous && (await upToDate(at, previous))) return false;
  try {
    const result = await build({ ...OPTIONS, absWorkingDir: at, metafile: true });
    const inputs = {};
    for (const input of Object.keys(result.metafile.inputs)) inputs[input] = await hashOf(at, input);
    const outputs = Object.keys(result.metafile.outputs);
    await writeFile(stampFile, `${JSON.stringify({ how: how(), inputs, outputs }, null, 2)}\n`);
    // Chunks of an earlier build that this one no longer has (their names hash their content).
    const stale = (previous?.outputs ?? []).filter((output) => !outputs.includes(output));
    await Promise.all(stale.map((output) => rm(path.join(at, output), { force: true })));
  } finally {
    // esbuild's service is a child process that would otherwise live as long as the caller.
    await stop();
  }
  return true;
}

function how() {
  return createHash('sha256').update(JSON.stringify({ esbuildVersion, OPTIONS })).digest('hex');
}

async function hashOf(at, file) {
  return createHash('sha256').update(await readFile(path.join(at, file))).digest('hex');
}

async function readStamp(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function upToDate(at, stamp) {
  if (stamp.how !== how() || !stamp.outputs.every((output) => existsSync(path.join(at, output)))) return false;
  for (const [input, hash] of Object.entries(stamp.inputs)) {
    if ((await hashOf(at, input).catch(() => undefined)) !== hash) return false;
  }
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildGateway({ force: true });
