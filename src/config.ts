import { z } from 'zod';
import type { RequestLimits } from './http/request-size.ts';
import type { QueryLimits } from './query-limits/operation-limits.ts';
import { LOG_LEVELS, type LogLevel } from './observability/logger.ts';

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
  /** The gateway's address as calendar apps reach it: the base of calendar feed URLs (src/calendar). */
  publicUrl: string;
  /** Serve the read operations the read compiler understands with one SQL statement (src/compiled-reads). */
  compiledReads: boolean;
  /** What every operation is measured against before it executes (src/query-limits). */
  queryLimits: QueryLimits;
  /** Bounds on the HTTP request itself (src/http/request-size.ts). */
  requestLimits: RequestLimits;
  /** Bounds on each request's work (src/execution-bounds.ts, src/db/client.ts). */
  bounds: {
    statementTimeoutMs: number;
    idleInTransactionTimeoutMs: number;
    /** How long a request waits for a database connection before it is answered 503. */
    connectTimeoutMs: number;
    /** Largest response body a compiled read may send. */
    maxResponseBytes: number;
    /** List items the resolvers may return for one request. */
    maxResolvedItems: number;
  };
  /** Shared rate-limit buckets live here when set; otherwise in this process's memory. */
  redisUrl: string | undefined;
  /** Undefined when rate limits are off (`RATE_LIMITS=false`). */
  rateLimits: RateLimitSettings | undefined;
  /** Origins a browser may call the API from (CORS); same-origin pages need no entry. */
  corsOrigins: string[];
  /** Serve GraphiQL at /graphql to browsers (src/graphiql). */
  graphiql: boolean;
  /** Answer `__schema` and `__type` queries (src/query-limits/introspection.ts). */
  introspection: boolean;
  /** Load the demo accounts and demo client into an empty database at start. */
  seedDemo: boolean;
  /** How slots and connections are shared between API clients (src/fairness, README "Fairness between clients"). */
  fairness: FairnessConfig;
  /** Logs, metrics, compression and tracing (src/observability, README "Logs, metrics, compression and tracing"). */
  observability: {
    logLevel: LogLevel;
    /** GET /metrics wants this bearer token when set. */
    metricsToken: string | undefined;
    /** Responses of at least this many bytes are compressed (gzip or br); undefined when compression is off. */
    compressionMinBytes: number | undefined;
    /** OpenTelemetry traces over OTLP/HTTP; undefined (nothing of OpenTelemetry loaded) without an endpoint. */
    tracing: TracingConfig | undefined;
  };
  /** On SIGTERM or SIGINT, how long requests in flight may take to finish before their connections are cut (src/shutdown.ts). */
  shutdownTimeoutMs: number;
  /** Subscriptions and the outbox relay (src/events, README "Subscriptions"). */
  realtime: RealtimeConfig;
  /** The webhook delivery worker (src/webhooks, README "Webhooks"). */
  webhooks: WebhookConfig;
}

export interface RealtimeConfig {
  /** The Redis channel events fan out on when REDIS_URL is set. */
  redisChannel: string;
  /** How often the relay looks for unpublished events even without a notification. */
  outboxPollMs: number;
  /** How often lapsed reservations are marked expired (and their events written). */
  reservationSweepMs: number;
  /** Open subscriptions per API client on one gateway instance. */
  subscriptionsPerClient: number;
  /** How often a subscription checks that its API client was not revoked. */
  subscriptionRecheckMs: number;
}

export interface WebhookConfig {
  /** Run the delivery worker in this process. */
  deliver: boolean;
  timeoutMs: number;
  /** The first retry's delay; each next one doubles, up to `retryMaxMs`, each with random jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Failed attempts in a row after which an endpoint is disabled. */
  maxConsecutiveFailures: number;
  /** How often the worker looks for due deliveries. */
  pollMs: number;
  /** Allow targets on private, loopback and link-local addresses (tests, or a deliberate private network). */
  allowPrivateTargets: boolean;
}

/** Where and how the gateway exports its traces (src/observability/tracing.ts, README "Tracing"). */
export interface TracingConfig {
  /** The collector's OTLP/HTTP base URL; traces go to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** Headers sent with every export (a collector's API key): never logged. */
  headers: Record<string, string>;
  serviceName: string;
  /** Share of traces started here that are kept (0–1); a caller's `traceparent` decides for its own traces. */
  sampleRatio: number;
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
  /** Cost (src/query-limits/cost.ts) of the operations executed through the resolvers, per API client per `queryCostWindowSeconds`. */
  queryCost: number;
  queryCostWindowSeconds: number;
  /** Prefix of the Redis keys, so that several deployments (or tests) can share one Redis. */
  redisKeyPrefix: string;
}

const limit = (defaultValue: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(1).max(max).default(defaultValue);

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
  PUBLIC_URL: z.url().optional(),
  COMPILED_READS: z.enum(['true', 'false'], 'must be true or false').default('true'),
  QUERY_LIMITS_ENABLED: z.enum(['true', 'false'], 'must be true or false').default('true'),
  // graphql's parser recurses into nested values: beyond some 3,000 tokens a nest of lists could exhaust the stack.
  QUERY_MAX_TOKENS: limit(2_000, 3_000),
  QUERY_MAX_DEPTH: limit(10),
  QUERY_MAX_ALIASES: limit(30),
  QUERY_MAX_DIRECTIVES: limit(20),
  QUERY_MAX_BREADTH: limit(500),
  QUERY_MAX_COST: limit(50_000),
  // Pages hold at most 100 nodes whatever is asked (the relay and prisma plugins' maxConnectionSize).
  QUERY_MAX_PAGE_SIZE: limit(100, 100),
  QUERY_MAX_NODE_IDS: limit(100),
  QUERY_MAX_INPUT_DEPTH: limit(10),
  QUERY_MAX_VARIABLES_BYTES: limit(256 * 1024),
  MAX_BODY_BYTES: limit(1024 * 1024),
  // Node refuses a request line and headers past 16 KB (431) before the gateway sees them.
  MAX_QUERY_STRING_BYTES: limit(8 * 1024),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1).default(15_000),
  IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(1).default(5_000),
  MAX_RESPONSE_BYTES: z.coerce.number().int().min(1_024).default(16 * 1024 * 1024),
  MAX_RESOLVED_ITEMS: z.coerce.number().int().min(1).default(50_000),
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
  // One operation of the largest cost allowed (QUERY_MAX_COST) per window; some 300,000 a minute.
  RATE_LIMIT_QUERY_COST: z.coerce.number().int().min(1).default(50_000),
  RATE_LIMIT_QUERY_COST_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
  RATE_LIMIT_REDIS_PREFIX: z.string().min(1).default('scheduling-gateway:rate-limit'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url({ message: 'must be a comma-separated list of origins such as https://app.example.com' }))),
  GRAPHIQL: z.enum(['true', 'false'], 'must be true or false').default('true'),
  INTROSPECTION: z.enum(['true', 'false'], 'must be true or false').default('true'),
  SEED_DEMO: z.enum(['true', 'false'], 'must be true or false').optional(),
  QUERY_SLOTS: slotCount(3),
  QUERY_SLOTS_PER_CLIENT: slotCount(2),
  REPORT_SLOTS: slotCount(2),
  REPORT_SLOTS_PER_CLIENT: slotCount(1),
  COMPILED_READ_CONNECTIONS: slotCount(8),
  COMPILED_READ_CONNECTIONS_PER_CLIENT: slotCount(6),
  LOG_LEVEL: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`).default('info'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  COMPRESSION: z.enum(['true', 'false'], 'must be true or false').default('true'),
  // Below about a kilobyte compression saves less than it costs.
  COMPRESSION_MIN_BYTES: z.coerce.number().int().min(0).default(1024),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  // The standard OpenTelemetry names (https://opentelemetry.io/docs/specs/otel/protocol/exporter/), so a collector's
  // usual settings apply as they are.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .default('')
    .transform((value, issues) => {
      const headers: Record<string, string> = {};
      for (const pair of value.split(',').map((part) => part.trim()).filter(Boolean)) {
        const separator = pair.indexOf('=');
        try {
          if (separator <= 0) throw new URIError();
          headers[decodeURIComponent(pair.slice(0, separator).trim())] = decodeURIComponent(pair.slice(separator + 1).trim());
        } catch {
          // The message names no value: these headers carry a collector's credentials.
          issues.addIssue({ code: 'custom', message: 'must be a comma-separated list of name=value pairs (values percent-encoded)' });
          return z.NEVER;
        }
      }
      return headers;
    }),
  OTEL_SERVICE_NAME: z.string().min(1).default('open-scheduling-gateway'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  EVENTS_REDIS_CHANNEL: z.string().min(1).default('scheduling-gateway:events'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  RESERVATION_SWEEP_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  SUBSCRIPTIONS_PER_CLIENT: limit(20, 10_000),
  SUBSCRIPTION_RECHECK_MS: z.coerce.number().int().min(10).max(3_600_000).default(15_000),
  WEBHOOK_DELIVERY: z.enum(['true', 'false'], 'must be true or false').default('true'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(10_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(10).default(3_600_000),
  WEBHOOK_MAX_FAILURES: limit(20, 10_000),
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false'], 'must be true or false').default('false'),
})
  .refine((env) => env.WEBHOOK_RETRY_BASE_MS <= env.WEBHOOK_RETRY_MAX_MS, { path: ['WEBHOOK_RETRY_BASE_MS'], message: 'must not exceed WEBHOOK_RETRY_MAX_MS' })
  .refine((env) => env.QUERY_SLOTS_PER_CLIENT <= env.QUERY_SLOTS, { path: ['QUERY_SLOTS_PER_CLIENT'], message: 'must not exceed QUERY_SLOTS' })
  .refine((env) => env.REPORT_SLOTS_PER_CLIENT <= env.REPORT_SLOTS, { path: ['REPORT_SLOTS_PER_CLIENT'], message: 'must not exceed REPORT_SLOTS' })
  .refine((env) => env.RATE_LIMITS === 'false' || env.QUERY_LIMITS_ENABLED === 'false' || env.RATE_LIMIT_QUERY_COST >= env.QUERY_MAX_COST, {
    path: ['RATE_LIMIT_QUERY_COST'],
    message: 'must be at least QUERY_MAX_COST, or an operation the limits allow could never run',
  })
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
    // Without a trailing slash, so that a path can follow.
    publicUrl: (env.PUBLIC_URL ?? env.TOKEN_ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    compiledReads: env.COMPILED_READS === 'true',
    queryLimits: {
      enabled: env.QUERY_LIMITS_ENABLED === 'true',
      maxTokens: env.QUERY_MAX_TOKENS,
      maxDepth: env.QUERY_MAX_DEPTH,
      maxAliases: env.QUERY_MAX_ALIASES,
      maxDirectives: env.QUERY_MAX_DIRECTIVES,
      maxBreadth: env.QUERY_MAX_BREADTH,
      maxCost: env.QUERY_MAX_COST,
      maxPageSize: env.QUERY_MAX_PAGE_SIZE,
      maxNodeIds: env.QUERY_MAX_NODE_IDS,
      maxInputDepth: env.QUERY_MAX_INPUT_DEPTH,
      maxVariablesBytes: env.QUERY_MAX_VARIABLES_BYTES,
    },
    requestLimits: { maxBodyBytes: env.MAX_BODY_BYTES, maxQueryStringBytes: env.MAX_QUERY_STRING_BYTES },
    bounds: {
      statementTimeoutMs: env.STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: env.IDLE_IN_TRANSACTION_TIMEOUT_MS,
      connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      maxResponseBytes: env.MAX_RESPONSE_BYTES,
      maxResolvedItems: env.MAX_RESOLVED_ITEMS,
    },
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
            queryCost: env.RATE_LIMIT_QUERY_COST,
            queryCostWindowSeconds: env.RATE_LIMIT_QUERY_COST_WINDOW_SECONDS,
            redisKeyPrefix: env.RATE_LIMIT_REDIS_PREFIX,
          }
        : undefined,
    // An origin is scheme, host and port: `new URL(...).origin` drops a trailing slash or path given by mistake.
    corsOrigins: env.CORS_ORIGINS.map((origin) => new URL(origin).origin),
    graphiql: env.GRAPHIQL === 'true',
    introspection: env.INTROSPECTION === 'true',
    // Demo data belongs to the embedded demo database; a database given by URL is seeded only on request.
    seedDemo: env.SEED_DEMO === undefined ? env.DATABASE_URL === undefined : env.SEED_DEMO === 'true',
    fairness: {
      querySlots: { slots: env.QUERY_SLOTS, perCaller: env.QUERY_SLOTS_PER_CLIENT },
      reportSlots: { slots: env.REPORT_SLOTS, perCaller: env.REPORT_SLOTS_PER_CLIENT },
      compiledReadConnections: { slots: env.COMPILED_READ_CONNECTIONS, perCaller: env.COMPILED_READ_CONNECTIONS_PER_CLIENT },
    },
    observability: {
      logLevel: env.LOG_LEVEL,
      metricsToken: env.METRICS_TOKEN,
      compressionMinBytes: env.COMPRESSION === 'true' ? env.COMPRESSION_MIN_BYTES : undefined,
      tracing: env.OTEL_EXPORTER_OTLP_ENDPOINT
        ? {
            endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, ''),
            headers: env.OTEL_EXPORTER_OTLP_HEADERS,
            serviceName: env.OTEL_SERVICE_NAME,
            sampleRatio: env.OTEL_TRACES_SAMPLER_ARG,
          }
        : undefined,
    },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    realtime: {
      redisChannel: env.EVENTS_REDIS_CHANNEL,
      outboxPollMs: env.OUTBOX_POLL_MS,
      reservationSweepMs: env.RESERVATION_SWEEP_MS,
      subscriptionsPerClient: env.SUBSCRIPTIONS_PER_CLIENT,
      subscriptionRecheckMs: env.SUBSCRIPTION_RECHECK_MS,
    },
    webhooks: {
      deliver: env.WEBHOOK_DELIVERY === 'true',
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: env.WEBHOOK_RETRY_MAX_MS,
      maxConsecutiveFailures: env.WEBHOOK_MAX_FAILURES,
      pollMs: env.WEBHOOK_POLL_MS,
      allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
    },
  };
}
