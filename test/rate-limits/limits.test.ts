import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRateLimits, type RateLimits } from '../../src/rate-limits/limits.ts';
import { LOCAL_REDIS_URL, lowLimits, redisReachable } from './redis.ts';
import { captureLogs } from '../observability/log-capture.ts';

const opened: RateLimits[] = [];
function open(...args: Parameters<typeof createRateLimits>) {
  const limits = createRateLimits(...args);
  opened.push(limits);
  return limits;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((limits) => limits.close()));
  vi.restoreAllMocks();
});

const reachable = await redisReachable();
if (!reachable) console.warn(`Redis is not reachable at ${LOCAL_REDIS_URL}: the tests of Redis-backed rate limits are skipped`);

describe('rate limits in memory', () => {
  it('allows the limit within a window, then refuses with the seconds until it resets', async () => {
    const { requests } = open(lowLimits({ requests: 3, windowSeconds: 30 }), undefined);
    const states = [];
    for (let index = 0; index < 4; index += 1) states.push(await requests!.consume('client:a'));
    expect(states.map((state) => [state.allowed, state.remaining])).toEqual([[true, 2], [true, 1], [true, 0], [false, 0]]);
    expect(states[3]!.resetSeconds).toBeGreaterThan(0);
    expect(states[3]!.resetSeconds).toBeLessThanOrEqual(30);
  });

  it('counts each key apart', async () => {
    const { requests } = open(lowLimits({ requests: 1 }), undefined);
    expect((await requests!.consume('client:a')).allowed).toBe(true);
    expect((await requests!.consume('client:a')).allowed).toBe(false);
    expect((await requests!.consume('client:b')).allowed).toBe(true);
  });

  it('peeks without counting', async () => {
    const { tokenFailures } = open(lowLimits({ tokenFailures: 2 }), undefined);
    expect((await tokenFailures!.peek('sgc_x')).allowed).toBe(true);
    await tokenFailures!.consume('sgc_x');
    expect((await tokenFailures!.peek('sgc_x')).remaining).toBe(1);
    await tokenFailures!.consume('sgc_x');
    expect((await tokenFailures!.peek('sgc_x')).allowed).toBe(false);
  });

  it('has no limit at all when rate limits are off', () => {
    const limits = open(undefined, undefined);
    expect([limits.requests, limits.tokenRequests, limits.tokenFailures, limits.tokenFailuresPerAddress, limits.accountCreations]).toEqual([
      undefined, undefined, undefined, undefined, undefined,
    ]);
  });
});

describe.skipIf(!reachable)('rate limits in Redis', () => {
  it('share one bucket between two gateway instances', async () => {
    const settings = lowLimits({ requests: 4 });
    const first = open(settings, LOCAL_REDIS_URL);
    const second = open(settings, LOCAL_REDIS_URL);
    expect(await Promise.all([first.ready(), second.ready()])).toEqual([true, true]);
    const answers = [];
    for (const limits of [first, second, first, second, first]) answers.push((await limits.requests!.consume('client:shared')).allowed);
    expect(answers).toEqual([true, true, true, true, false]);
  });
});

describe('rate limits when Redis cannot be reached', () => {
  it('fall back to counting in memory, and say so in the log', async () => {
    const logs = captureLogs();
    // Port 1: nothing listens there, so every connection is refused at once.
    const limits = open(lowLimits({ requests: 2 }), 'redis://127.0.0.1:1', logs.logger);
    expect(await limits.ready()).toBe(false);
    const requests = limits.requests;
    const answers = [];
    for (let index = 0; index < 3; index += 1) answers.push((await requests!.consume('client:a')).allowed);
    expect(answers).toEqual([true, true, false]);
    const warning = await logs.waitFor((entry) => entry.level === 40);
    expect(warning.msg).toContain('rate limits are counted in this process only');
    expect(warning.redis).toContain('127.0.0.1:1');
  });
});
