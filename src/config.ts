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
  /** Shared rate-limit buckets live here when set; otherwise in this process's memory. */
  redisUrl: string | undefined;
  /** Undefined when rate limits are off (`RATE_LIMITS=false`). */
  rateLimits: RateLimitSettings | undefined;
  /** Origins a browser may call the API from (CORS); same-origin pages need no entry. */
  corsOrigins: string[];
  /** Load the demo accounts and demo client into an empty database at start. */
  seedDemo: boolean;
}

/** Requests per window; each limit counts in fixed windows of `windowSeconds` (src/rate-limits/). */
export interface RateLimitSettings {
  windowSeconds: number;
  /** /graphql requests per API client (or, without a valid token, per remote address). */
  requests: number;
  /** /oauth/token requests per client_id, successful or not. */
  tokenRequests: number;
  /** Failed /oauth/token requests (wrong or unknown credentials) per client_id. */
  tokenFailures: number;
  /** Failed /oauth/token requests per remote address, whatever client_id they name. */
  tokenFailuresPerAddress: number;
  /** `createAccount` calls per API client per hour. */
  accountCreationsPerHour: number;
  /** Prefix of the Redis keys, so that several deployments (or tests) can share one Redis. */
  redisKeyPrefix: string;
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
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  RATE_LIMITS: z.enum(['true', 'false'], 'must be true or false').default('true'),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).default(180),
  RATE_LIMIT_TOKEN_REQUESTS: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_TOKEN_FAILURES: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_TOKEN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_ACCOUNT_CREATIONS_PER_HOUR: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_REDIS_PREFIX: z.string().min(1).default('scheduling-gateway:rate-limit'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url({ message: 'must be a comma-separated list of origins such as https://app.example.com' }))),
  SEED_DEMO: z.enum(['true', 'false'], 'must be true or false').optional(),
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
    redisUrl: env.REDIS_URL,
    rateLimits:
      env.RATE_LIMITS === 'true'
        ? {
            windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
            requests: env.RATE_LIMIT_REQUESTS,
            tokenRequests: env.RATE_LIMIT_TOKEN_REQUESTS,
            tokenFailures: env.RATE_LIMIT_TOKEN_FAILURES,
            tokenFailuresPerAddress: env.RATE_LIMIT_TOKEN_FAILURES_PER_ADDRESS,
            accountCreationsPerHour: env.RATE_LIMIT_ACCOUNT_CREATIONS_PER_HOUR,
            redisKeyPrefix: env.RATE_LIMIT_REDIS_PREFIX,
          }
        : undefined,
    // An origin is scheme, host and port: `new URL(...).origin` drops a trailing slash or path given by mistake.
    corsOrigins: env.CORS_ORIGINS.map((origin) => new URL(origin).origin),
    // Demo data belongs to the embedded demo database; a database given by URL is seeded only on request.
    seedDemo: env.SEED_DEMO === undefined ? env.DATABASE_URL === undefined : env.SEED_DEMO === 'true',
  };
}
