// Runs `prisma generate` without network access: the Prisma 7 CLI insists on
// resolving its schema-engine binary even though generate never runs it, so we
// point it at an executable that exists (node itself) and disable telemetry.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// The image's runtime stage installs the production dependencies without the schema: nothing to generate there,
// and nothing needs it, since the bundle (scripts/build.mjs) carries the generated client.
if (!existsSync(new URL('../prisma/schema.prisma', import.meta.url))) {
  console.log('prisma generate skipped: no prisma/schema.prisma here');
  process.exit(0);
}

const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
};
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
