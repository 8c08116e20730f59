import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createGateway, listen } from '../../src/server.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { encodeId } from '../../src/schema/global-id.ts';
import { createAccount } from '../auth/helpers.ts';
import { LOCAL_REDIS_URL, redisReachable } from './redis.ts';

const reachable = await redisReachable();
if (!reachable) console.warn(`Redis is not reachable at ${LOCAL_REDIS_URL}: the test of two gateways sharing one query-cost budget is skipped`);

/** A budget of 1,000 cost points a minute per client; requests themselves are not what is limited here. */
const COST_BUDGET = {
  RATE_LIMITS: 'true',
  RATE_LIMIT_REQUESTS: '1000',
  QUERY_MAX_COST: '1000',
  RATE_LIMIT_QUERY_COST: '1000',
  RATE_LIMIT_QUERY_COST_WINDOW_SECONDS: '60',
};

/**
 * A report grouped by agent answers up to `limit` rows and selects only scalars: it costs exactly `limit`
 * (src/query-limits/cost.ts), and the resolvers execute it.
 */
const reportCosting = (cost: number) =>
  JSON.stringify({
    query: `{ schedulingReport(input: { subject: BOOKINGS, from: "2026-07-01T00:00:00Z", to: "2026-08-01T00:00:00Z", groupBy: [AGENT], limit: ${cost} }) { count } }`,
  });

async function post(gateway: { url: string }, token: string, body: string) {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('the query-cost budget per API client', () => {
  let gateway: TestGateway;
  let account: string;
  beforeAll(async () => {
    gateway = await startTestGateway({ ...COST_BUDGET, RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}` });
    account = (await createAccount(gateway.db)).id;
  });
  afterAll(() => gateway?.close());

  it('refuses an operation the rest of the budget cannot pay for with 429 RATE_LIMITED, and charges nothing for it', async () => {
    const token = await gateway.tokenFor({ accounts: [account], scopes: ['read'] });
    const first = await post(gateway, token, reportCosting(600));
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();

    const refused = await post(gateway, token, reportCosting(600));
    expect(refused.status).toBe(429);
    expect(refused.body.data ?? null).toBeNull();
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 1000, windowSeconds: 60 });
    expect(refused.body.errors[0].message).toMatch(/costs 600 and 400 is left/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    // The refused 600 were not counted: 400 are left for a smaller operation, and then nothing.
    expect((await post(gateway, token, reportCosting(400))).status).toBe(200);
    expect((await post(gateway, token, reportCosting(1))).status).toBe(429);
  });

  it('keeps each client to its own budget', async () => {
    const spender = await gateway.tokenFor({ accounts: [account], scopes: ['read'] });
    const other = await gateway.tokenFor({ accounts: [account], scopes: ['read'] });
    expect((await post(gateway, spender, reportCosting(1000))).status).toBe(200);
    expect((await post(gateway, spender, reportCosting(1))).status).toBe(429);
    expect((await post(gateway, other, reportCosting(1000))).status).toBe(200);
  });

  it('does not charge reads served as one compiled statement, whose work is PostgreSQL’s', async () => {
    // The budget is spent to the last point: a charged read would be refused.
    const token = await gateway.tokenFor({ accounts: [account], scopes: ['read'] });
    expect((await post(gateway, token, reportCosting(1000))).status).toBe(200);
    const page = JSON.stringify({ query: '{ agents(first: 100) { totalCount nodes { id name } } }' });
    for (let index = 0; index < 3; index += 1) {
      const answer = await post(gateway, token, page);
      expect(answer.status).toBe(200);
      expect(answer.body.data.agents.totalCount).toBe(0);
    }
    expect((await post(gateway, token, reportCosting(1))).status).toBe(429);
  });

  it('charges mutations their cost like queries', async () => {
    const token = await gateway.tokenFor({ accounts: [account], scopes: ['read', 'write'] });
    expect((await post(gateway, token, reportCosting(1000))).status).toBe(200);
    const mutation = JSON.stringify({ query: `mutation { createAgent(input: { accountId: "${encodeId('Account', account)}", name: "Ada", email: "ada@example.com", timeZone: "UTC" }) { __typename } }` });
    const refused = await post(gateway, token, mutation);
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(await gateway.db.agent.count({ where: { accountId: account } })).toBe(0);
  });
});

describe('the query-cost budget settings', () => {
  it('refuse a budget smaller than the largest operation the limits allow', () => {
    expect(() => loadConfig({ QUERY_MAX_COST: '50000', RATE_LIMIT_QUERY_COST: '49999' })).toThrow(/RATE_LIMIT_QUERY_COST: must be at least QUERY_MAX_COST/);
    expect(loadConfig({ QUERY_MAX_COST: '50000', RATE_LIMIT_QUERY_COST: '49999', RATE_LIMITS: 'false' }).rateLimits).toBeUndefined();
  });
});

describe.skipIf(!reachable)('two gateways sharing one Redis', () => {
  it('draw one client’s query cost from one budget', async () => {
    const first = await startTestGateway({ ...COST_BUDGET, REDIS_URL: LOCAL_REDIS_URL, RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}` });
    const secondGateway = await createGateway({ db: first.db, config: first.config });
    const running = await listen(secondGateway, 0, '127.0.0.1');
    try {
      const account = (await createAccount(first.db)).id;
      const token = await first.tokenFor({ accounts: [account], scopes: ['read'] });
      expect((await post(first, token, reportCosting(600))).status).toBe(200);
      expect((await post(running, token, reportCosting(600))).status).toBe(429);
      expect((await post(running, token, reportCosting(400))).status).toBe(200);
    } finally {
      await running.close();
      await secondGateway.rateLimits.close();
      await first.close();
    }
  });
});
