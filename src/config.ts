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
  /** How slots and connections are shared between API clients (src/fairness, README "Fairness between clients"). */
  fairness: FairnessConfig;
}

export interface FairnessConfig {
  /** Queries executing through the resolvers at once, and at most per API client. */
  querySlots: { slots: number; perCaller: number };
  /** The same for reports, in a lane of their own. */
  reportSlots: { slots: number; perCaller: number };
  /** Compiled reads' statements on the shared pool at once, and at most per API client. */
  compiledReadConnections: { slots: number; perCaller: number };
}

const slotCount = (fallback: number) => z.coerce.number().int().min(1).max(1000).default(fallback);

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
  QUERY_SLOTS: slotCount(3),
  QUERY_SLOTS_PER_CLIENT: slotCount(2),
  REPORT_SLOTS: slotCount(2),
  REPORT_SLOTS_PER_CLIENT: slotCount(1),
  COMPILED_READ_CONNECTIONS: slotCount(8),
  COMPILED_READ_CONNECTIONS_PER_CLIENT: slotCount(6),
})
  .refine((env) => env.QUERY_SLOTS_PER_CLIENT <= env.QUERY_SLOTS, { path: ['QUERY_SLOTS_PER_CLIENT'], message: 'must not exceed QUERY_SLOTS' })
  .refine((env) => env.REPORT_SLOTS_PER_CLIENT <= env.REPORT_SLOTS, { path: ['REPORT_SLOTS_PER_CLIENT'], message: 'must not exceed REPORT_SLOTS' })
  .refine((env) => env.COMPILED_READ_CONNECTIONS_PER_CLIENT <= env.COMPILED_READ_CONNECTIONS, {
    path: ['COMPILED_READ_CONNECTIONS_PER_CLIENT'],
    message: 'must not exceed COMPILED_READ_CONNECTIONS',
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
    fairness: {
      querySlots: { slots: env.QUERY_SLOTS, perCaller: env.QUERY_SLOTS_PER_CLIENT },
      reportSlots: { slots: env.REPORT_SLOTS, perCaller: env.REPORT_SLOTS_PER_CLIENT },
      compiledReadConnections: { slots: env.COMPILED_READ_CONNECTIONS, perCaller: env.COMPILED_READ_CONNECTIONS_PER_CLIENT },
    },
  };
}
