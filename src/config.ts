import { z } from 'zod';

/** Every setting of the gateway, parsed once from the environment. */
export interface Config {
  port: number;
  host: string;
  /** When absent, `npm start` runs an embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  tokenTtlSeconds: number;
  issuer: string;
  audience: string;
  /** Serve the read operations the read compiler understands with one SQL statement (src/compiled-reads). */
  compiledReads: boolean;
}

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  TOKEN_ISSUER: z.url().optional(),
  TOKEN_AUDIENCE: z.string().min(1).default('scheduling-gateway'),
  COMPILED_READS: z.enum(['true', 'false'], 'must be true or false').default('true'),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const env = parsed.data;
  return {
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    tokenTtlSeconds: env.TOKEN_TTL_SECONDS,
    issuer: env.TOKEN_ISSUER ?? `http://localhost:${env.PORT}`,
    audience: env.TOKEN_AUDIENCE,
    compiledReads: env.COMPILED_READS === 'true',
  };
}
