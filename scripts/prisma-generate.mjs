// Runs `prisma generate` without network access: the Prisma 7 CLI insists on
// resolving its schema-engine binary even though generate never runs it, so we
// point it at an executable that exists (node itself) and disable telemetry.
import { spawnSync } from 'node:child_process';

const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
};
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
