import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createBookableAccount } from '../support/booking-fixtures.ts';
import { captureLogs } from '../observability/log-capture.ts';

const logs = captureLogs();
let gateway: TestGateway;
let feedPath: string;

beforeAll(async () => {
  gateway = await startTestGateway(
    { RATE_LIMITS: 'true', RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID()}` },
    { logger: logs.logger },
  );
  const setup = await createBookableAccount(gateway.db, { agents: 1 });
  const token = await gateway.tokenFor({ accounts: [setup.account.id] });
  const created = await gateway.graphql(
    `mutation ($input: CreateCalendarFeedInput!) { createCalendarFeed(input: $input) { ... on CreateCalendarFeedSuccess { data { url } } } }`,
    { input: { agentId: setup.agentIds[0] } },
    token,
  );
  feedPath = new URL(created.data.createCalendarFeed.data.url).pathname;
});

afterAll(() => gateway?.close());

const get = (path: string) => fetch(`${gateway.url}${path}`);

describe('calendar feed rate limits and logs', () => {
  it('limits a feed’s polls per feed and unknown secrets per address, each in its own bucket', async () => {
    const bogus = `/calendar/agents/sgf_${'B'.repeat(43)}.ics`;
    const unknown = [await get(bogus), await get(bogus), await get(bogus), await get(bogus)];
    expect(unknown.map((response) => response.status)).toEqual([404, 404, 404, 429]);
    const refused = unknown[3]!;
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });

    // Stale subscriptions from an address do not take the budget of a live feed polled from it.
    const polls = [await get(feedPath), await get(feedPath), await get(feedPath), await get(feedPath)];
    expect(polls.map((response) => response.status)).toEqual([200, 200, 200, 429]);
    expect(polls.map((response) => response.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
  });

  it('never writes a feed’s secret into the access log', async () => {
    const secret = feedPath.slice('/calendar/agents/'.length, -'.ics'.length);
    await get(feedPath);
    const line = await logs.waitFor((entry) => entry.msg === 'request' && entry.path === '/calendar/agents/{secret}.ics');
    expect(line.status).toBeGreaterThanOrEqual(200);
    expect(logs.lines.join('')).not.toContain(secret);
  });
});
