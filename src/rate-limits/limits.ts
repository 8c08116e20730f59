import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitSettings } from '../config.ts';
import { defaultLogger, type Logger } from '../observability/logger.ts';

/** Where a key stands in its limit after a request was counted (or looked at). */
export interface RateLimitState {
  allowed: boolean;
  limit: number;
  windowSeconds: number;
  remaining: number;
  /** Seconds until the window ends and the whole limit is available again (at least 1). */
  resetSeconds: number;
}

/** One limit: `points` per `windowSeconds`, per key (a request counts one point, an operation its cost). */
export interface Limit {
  /** Counts one request against `key`. */
  consume(key: string): Promise<RateLimitState>;
  /** Counts `points` against `key` if they fit in what is left; points refused are not counted. */
  spend(key: string, points: number): Promise<RateLimitState>;
  /** Where `key` stands without counting anything: `allowed` is false once the limit is used up. */
  peek(key: string): Promise<RateLimitState>;
  /** Gives back one request counted against `key` (one that turned out not to count, such as an attempt that succeeded). */
  refund(key: string): Promise<void>;
}

/** Every limit of the gateway; a limit is undefined when rate limits are off. */
export interface RateLimits {
  /** /graphql requests per API client, or per remote address without a valid token. */
  requests: Limit | undefined;
  /** /oauth/token requests per client_id. */
  tokenRequests: Limit | undefined;
  /** Failed /oauth/token requests per client_id. */
  tokenFailures: Limit | undefined;
  /** Failed /oauth/token requests per remote address. */
  tokenFailuresPerAddress: Limit | undefined;
  /** createAccount per API client. */
  accountCreations: Limit | undefined;
  /** The cost of operations executed through the resolvers, per API client. */
  queryCost: Limit | undefined;
  /**
   * Resolves once the counters can be shared (Redis connected: true) or it is
   * clear they cannot be for now (no Redis configured, or it failed to connect,
   * or REDIS_CONNECT_WAIT_MS passed: false; counting goes on in memory meanwhile).
   */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** A Redis command slower than this counts as Redis being unavailable: a request must not wait on the limiter. */
const REDIS_COMMAND_TIMEOUT_MS = 250;
/** How long a starting gateway waits for Redis before it serves with per-process counters. */
const REDIS_CONNECT_WAIT_MS = 2_000;

/**
 * The limits, counted by rate-limiter-flexible in fixed windows. With a
 * Redis URL the counters live in Redis, so that every gateway instance
 * shares them; while Redis cannot be reached each limiter fails open to a
 * per-process memory counter (its insurance limiter), with a warning in the
 * log, rather than refusing or stalling every request.
 */
export function createRateLimits(settings: RateLimitSettings | undefined, redisUrl: string | undefined, logger: Logger = defaultLogger()): RateLimits {
  if (!settings) {
    const off = undefined;
    return {
      requests: off,
      tokenRequests: off,
      tokenFailures: off,
      tokenFailuresPerAddress: off,
      accountCreations: off,
      queryCost: off,
      ready: async () => false,
      close: async () => undefined,
    };
  }
  const redis = redisUrl ? connectRedis(redisUrl, logger) : undefined;
  const limit = (name: string, points: number, windowSeconds: number): Limit => {
    const options = { keyPrefix: `${settings.redisKeyPrefix}:${name}`, points, duration: windowSeconds };
    const limiter: RateLimiterAbstract = redis
      ? new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) })
      : new RateLimiterMemory(options);
    return limitOf(limiter, points, windowSeconds);
  };
  return {
    requests: limit('requests', settings.requests, settings.windowSeconds),
    tokenRequests: limit('token-requests', settings.tokenRequests, settings.windowSeconds),
    tokenFailures: limit('token-failures', settings.tokenFailures, settings.windowSeconds),
    tokenFailuresPerAddress: limit('token-failures-address', settings.tokenFailuresPerAddress, settings.windowSeconds),
    accountCreations: limit('account-creations', settings.accountCreationsPerHour, 3600),
    queryCost: limit('query-cost', settings.queryCost, settings.queryCostWindowSeconds),
    ready: () => (redis ? connected(redis) : Promise.resolve(false)),
    close: async () => {
      redis?.disconnect();
    },
  };
}

function limitOf(limiter: RateLimiterAbstract, points: number, windowSeconds: number): Limit {
  const state = (allowed: boolean, result: RateLimiterRes | null): RateLimitState => ({
    allowed,
    limit: points,
    windowSeconds,
    remaining: Math.max(0, result?.remainingPoints ?? points),
    resetSeconds: Math.max(1, Math.ceil((result?.msBeforeNext ?? windowSeconds * 1000) / 1000)),
  });
  return {
    async consume(key) {
      try {
        return state(true, await limiter.consume(key));
      } catch (rejection) {
        // The limiter rejects with its result when the key is over the limit, with an Error only for a store fault.
        if (rejection instanceof RateLimiterRes) return state(false, rejection);
        throw rejection;
      }
    },
    async spend(key, cost) {
      try {
        return state(true, await limiter.consume(key, cost));
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        // rate-limiter-flexible counts refused points too: given back, what is left still serves smaller operations.
        const after = await limiter.reward(key, cost);
        return state(false, after ?? rejection);
      }
    },
    async peek(key) {
      const result = await limiter.get(key);
      return state((result?.consumedPoints ?? 0) < points, result);
    },
    async refund(key) {
      await limiter.reward(key, 1);
    },
  };
}

function connectRedis(url: string, logger: Logger): Redis {
  // No offline queue: while Redis is down a command fails at once and the insurance limiter answers.
  const redis = new Redis(url, { enableOfflineQueue: false, commandTimeout: REDIS_COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 0 });
  let reachable = true;
  redis.on('error', (error: Error) => {
    if (!reachable) return;
    reachable = false;
    logger.warn({ redis: redactedUrl(url), reason: error.message }, 'Redis is unreachable: rate limits are counted in this process only until it is back');
  });
  redis.on('ready', () => {
    if (reachable) return;
    reachable = true;
    logger.warn({ redis: redactedUrl(url) }, 'Redis is reachable again: rate limits are shared again');
  });
  return redis;
}

function connected(redis: Redis): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      resolve(ready);
    };
    const onReady = () => done(true);
    const onError = () => done(false);
    const timer = setTimeout(onError, REDIS_CONNECT_WAIT_MS);
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}

/** The URL without its password, for the log. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
