import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { RateLimitSettings } from '../../src/config.ts';

/** The machine's Redis, which tests of shared limits use when it is reachable. */
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

export function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 6379, timeout: 500 });
    const done = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Low limits under a key prefix no other test run shares. */
export function lowLimits(overrides: Partial<RateLimitSettings> = {}): RateLimitSettings {
  return {
    windowSeconds: 60,
    requests: 3,
    tokenRequests: 3,
    tokenFailures: 3,
    tokenFailuresPerAddress: 5,
    accountCreationsPerHour: 2,
    queryCost: 1_000,
    queryCostWindowSeconds: 60,
    redisKeyPrefix: `test:${randomUUID()}`,
    ...overrides,
  };
}
