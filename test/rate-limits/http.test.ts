import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, listen } from '../../src/server.ts';
import { startTestGateway, YOGA_ENDPOINT, type TestGateway } from '../support/gateway.ts';
import { createAccount, createClient, requestToken, tokenOf } from '../auth/helpers.ts';
import { LOCAL_REDIS_URL, redisReachable } from './redis.ts';

const reachable = await redisReachable();
if (!reachable) console.warn(`Redis is not reachable at ${LOCAL_REDIS_URL}: the test of two gateways sharing Redis is skipped`);

/** Limits low enough to reach in a test, under a key prefix of this run only. */
const LOW_LIMITS = {
  RATE_LIMITS: 'true',
  RATE_LIMIT_REQUESTS: '3',
  RATE_LIMIT_TOKEN_REQUESTS: '4',
  RATE_LIMIT_TOKEN_FAILURES: '3',
  RATE_LIMIT_TOKEN_FAILURES_PER_ADDRESS: '6',
  RATE_LIMIT_ACCOUNT_CREATIONS_PER_HOUR: '2',
};

const READ = JSON.stringify({ query: '{ agents(first: 1) { totalCount } }' });

/** A POST to /graphql; `throughYoga` sends it where the compiled reads' fast path does not take it (yoga answers it). */
async function post(gateway: TestGateway, token: string | undefined, options: { body?: string; throughYoga?: boolean; accept?: string } = {}) {
  const response = await fetch(`${gateway.url}${options.throughYoga ? YOGA_ENDPOINT : '/graphql'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: options.accept ?? 'application/graphql-response+json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: options.body ?? READ,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('per-client request limit on /graphql', () => {
  let gateway: TestGateway;
  let account: string;
  beforeAll(async () => {
    gateway = await startTestGateway({ ...LOW_LIMITS, RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}` });
    account = (await createAccount(gateway.db)).id;
  });
  afterAll(() => gateway?.close());

  it('sends RateLimit headers, then 429 with Retry-After and RATE_LIMITED once the client used its requests', async () => {
    const token = await gateway.tokenFor({ accounts: [account] });
    const served = gateway.gateway.fastPath!.served;
    const allowed = [await post(gateway, token), await post(gateway, token), await post(gateway, token)];
    expect(gateway.gateway.fastPath!.served).toBe(served + 3);
    expect(allowed.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(allowed.map((answer) => answer.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0']);
    expect(allowed[0]!.headers.get('ratelimit-limit')).toBe('3');
    expect(allowed[0]!.headers.get('ratelimit-policy')).toBe('3;w=60');

    const refused = await post(gateway, token);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 3, windowSeconds: 60 });
    expect(refused.body.data).toBeUndefined();
  });

  it('answers the same refusal through yoga as through the fast path', async () => {
    const token = await gateway.tokenFor({ accounts: [account] });
    for (let index = 0; index < 3; index += 1) await post(gateway, token);
    const fast = await post(gateway, token);
    const yoga = await post(gateway, token, { throughYoga: true });
    expect(yoga.status).toBe(429);
    expect({ ...yoga.body.errors[0], message: undefined }).toEqual({ ...fast.body.errors[0], message: undefined });
    expect(yoga.headers.get('retry-after')).toBeTruthy();
  });

  it('counts requests of both paths against one bucket', async () => {
    const token = await gateway.tokenFor({ accounts: [account] });
    const mutation = JSON.stringify({ query: 'mutation { createAccount(input: {name: "x", timeZone: "UTC"}) { __typename } }' });
    expect((await post(gateway, token)).status).toBe(200);
    // A mutation goes through yoga (403: this client has no admin scope), and counts all the same.
    expect((await post(gateway, token, { body: mutation })).status).toBe(403);
    expect((await post(gateway, token, { throughYoga: true })).status).toBe(200);
    expect((await post(gateway, token)).status).toBe(429);
  });

  it('refuses before parsing: a client over its limit gets 429 for a document it did not even get right', async () => {
    const token = await gateway.tokenFor({ accounts: [account] });
    for (let index = 0; index < 3; index += 1) await post(gateway, token);
    const broken = JSON.stringify({ query: '{ agents(first: 1' });
    expect((await post(gateway, token, { body: broken })).status).toBe(429);
    expect((await post(gateway, token, { body: broken, throughYoga: true })).status).toBe(429);
  });

  it('keeps each client to its own bucket', async () => {
    const busy = await gateway.tokenFor({ accounts: [account] });
    const quiet = await gateway.tokenFor({ accounts: [account] });
    for (let index = 0; index < 4; index += 1) await post(gateway, busy);
    expect((await post(gateway, busy)).status).toBe(429);
    expect((await post(gateway, quiet)).status).toBe(200);
  });

  it('limits requests without a valid token by remote address', async () => {
    // Whatever the token, an invalid one draws on the address's bucket: forging tokens does not escape the limit.
    const answers = [];
    for (let index = 0; index < 4; index += 1) answers.push((await post(gateway, `forged.${index}`)).status);
    expect(answers).toEqual([401, 401, 401, 429]);
  });
});

describe('brute-force protection on /oauth/token', () => {
  let gateway: TestGateway;
  let account: string;
  beforeAll(async () => {
    gateway = await startTestGateway({ ...LOW_LIMITS, RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}` });
    account = (await createAccount(gateway.db)).id;
  });
  afterAll(() => gateway?.close());

  const attempt = (clientId: string, clientSecret: string) =>
    requestToken(gateway, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });

  it('refuses a client_id with 429 slow_down after its failed attempts, the right secret included', async () => {
    const client = await createClient(gateway.db, { accounts: [account] });
    const failures = [];
    for (let index = 0; index < 3; index += 1) failures.push((await attempt(client.clientId, `sgs_wrong${index}`)).status);
    expect(failures).toEqual([401, 401, 401]);
    const refused = await attempt(client.clientId, client.clientSecret);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: 'slow_down' });
    expect(refused.body.error_description).toContain('failed token requests for this client');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-policy')).toBe('3;w=60');
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('checks no more wrong secrets than the limit even when they arrive at once', async () => {
    const other = await startTestGateway({ ...LOW_LIMITS, RATE_LIMIT_TOKEN_REQUESTS: '100', RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}` });
    try {
      const client = await createClient(other.db, { accounts: [(await createAccount(other.db)).id] });
      const guesses = Array.from({ length: 12 }, (_, index) =>
        requestToken(other, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: `sgs_guess${index}` }),
      );
      const statuses = (await Promise.all(guesses)).map((answer) => answer.status);
      expect(statuses.filter((status) => status === 401)).toHaveLength(3);
      expect(statuses.filter((status) => status === 429)).toHaveLength(9);
    } finally {
      await other.close();
    }
  });

  it('refuses an address with 429 after its failed attempts, whichever client_ids they name', async () => {
    // Six failures are this address's budget; the previous test spent three of them.
    const answers = [];
    for (let index = 0; index < 4; index += 1) answers.push((await attempt(`sgc_unknown${index}`, 'sgs_guess')).status);
    expect(answers).toEqual([401, 401, 401, 429]);
    const client = await createClient(gateway.db, { accounts: [account] });
    expect((await attempt(client.clientId, client.clientSecret)).status).toBe(429);
  });
});

describe('token requests that succeed', () => {
  it('are limited less strictly than failures, per client_id', async () => {
    const gateway = await startTestGateway({ ...LOW_LIMITS, RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}` });
    try {
      const client = await createClient(gateway.db, { accounts: [(await createAccount(gateway.db)).id] });
      const answers = [];
      for (let index = 0; index < 5; index += 1) {
        answers.push((await requestToken(gateway, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret })).status);
      }
      // Four token requests per window, where three failures would already have locked the client out.
      expect(answers).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await gateway.close();
    }
  });
});

describe('createAccount', () => {
  it('is limited per client, with RATE_LIMITED and HTTP 429', async () => {
    const gateway = await startTestGateway({ ...LOW_LIMITS, RATE_LIMIT_REQUESTS: '100', RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}` });
    try {
      const admin = await gateway.tokenFor({ accounts: 'all', scopes: ['read', 'write', 'admin'] });
      const other = await gateway.tokenFor({ accounts: 'all', scopes: ['read', 'write', 'admin'] });
      const create = JSON.stringify({ query: 'mutation { createAccount(input: {name: "Tenant", timeZone: "UTC"}) { __typename } }' });
      const answers = [];
      for (let index = 0; index < 3; index += 1) answers.push(await post(gateway, admin, { body: create }));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
      expect(answers[2]!.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 2, windowSeconds: 3600 });
      expect(answers[2]!.headers.get('retry-after')).toBeTruthy();
      expect(answers[2]!.headers.get('ratelimit-policy')).toBe('2;w=3600');
      expect(await gateway.db.account.count()).toBe(2);
      expect((await post(gateway, other, { body: create })).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe.skipIf(!reachable)('two gateways sharing one Redis', () => {
  it('draw one client’s requests from one bucket', async () => {
    const shared = { ...LOW_LIMITS, REDIS_URL: LOCAL_REDIS_URL, RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}` };
    const first = await startTestGateway(shared);
    // The second instance serves the same database: the same deployment, scaled out.
    const secondGateway = await createGateway({ db: first.db, config: first.config });
    const running = await listen(secondGateway, 0, '127.0.0.1');
    const second = { ...first, url: running.url, close: async () => (await running.close(), await secondGateway.events.close(), await secondGateway.rateLimits.close()) };
    try {
      const account = (await createAccount(first.db)).id;
      const client = await createClient(first.db, { accounts: [account] });
      const token = await tokenOf(first, client);
      const statuses = [];
      for (const gateway of [first, second, first, second]) statuses.push((await post(gateway, token)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
