import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startRecord } from '../../src/observability/request-record.ts';
import type { IncomingMessage } from 'node:http';

const METRICS_TOKEN = 'metrics-token-0123456789';
let gateway: TestGateway;
let token: string;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;

async function scrape(authorization = `Bearer ${METRICS_TOKEN}`): Promise<string> {
  const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of one series, 0 when it does not exist yet. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function post(query: string, variables?: Record<string, unknown>) {
  return fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
}

beforeAll(async () => {
  // The request limit is low so that a test can meet it; the others stay well under it.
  gateway = await startTestGateway({ METRICS_TOKEN, RATE_LIMITS: 'true', RATE_LIMIT_REQUESTS: '12' });
  setup = await createBookableAccount(gateway.db);
  token = await gateway.tokenFor({ accounts: [setup.account.id] });
});

afterAll(async () => {
  await gateway?.close();
});

describe('/metrics', () => {
  it('refuses a scrape without the metrics token', async () => {
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
  });

  it('counts requests, operations by name and read path, errors by code, limit rejections, bookings and the pools', async () => {
    const before = await scrape();
    const fastReads = 'graphql_reads_total{read_path="compiled-fast-path"}';
    const readDurations = 'graphql_operation_duration_seconds_count{operation="Agents",type="query",read_path="compiled-fast-path"}';
    const graphqlOk = 'http_request_duration_seconds_count{method="POST",path="/graphql",status="200"}';
    const tooComplex = 'graphql_errors_total{code="QUERY_TOO_COMPLEX"}';

    for (let index = 0; index < 3; index += 1) expect((await post('query Agents { agents { nodes { name } } }')).status).toBe(200);
    expect((await post('{ agents { nodes { teams { agents { nodes { teams { agents { nodes { teams { agents { nodes { name } } } } } } } } } } } }')).status).toBe(400);
    const booked = (await (await post(CREATE_BOOKING, {
      input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(upcomingMonday(), '10:00'), customer: { name: 'Ann', email: 'ann@example.com' } },
    })).json()) as any;
    const bookingId = booked.data.createBooking.data.id;
    const cancelled = (await (await post('mutation ($id: ID!) { cancelBooking(id: $id) { __typename } }', { id: bookingId })).json()) as any;
    expect(cancelled.data.cancelBooking.__typename).toBe('CancelBookingSuccess');

    const after = await scrape();
    expect(sample(after, fastReads) - sample(before, fastReads)).toBe(3);
    expect(sample(after, readDurations) - sample(before, readDurations)).toBe(3);
    expect(sample(after, graphqlOk) - sample(before, graphqlOk)).toBe(5);
    expect(sample(after, tooComplex) - sample(before, tooComplex)).toBe(1);
    expect(sample(after, 'query_limit_rejections_total') - sample(before, 'query_limit_rejections_total')).toBe(1);
    expect(sample(after, 'bookings_created_total') - sample(before, 'bookings_created_total')).toBe(1);
    expect(sample(after, 'bookings_cancelled_total') - sample(before, 'bookings_cancelled_total')).toBe(1);
    expect(after).toMatch(/^db_pool_connections\{pool="shared",state="idle"\} [1-9]/m);
    expect(after).toMatch(/^db_pool_waiting\{pool="shared"\} 0$/m);
  });

  it('counts refusals by the rate limit', async () => {
    const before = sample(await scrape(), 'rate_limit_rejections_total{path="/graphql"}');
    let refused = 0;
    for (let index = 0; index < 14; index += 1) if ((await post('query Agents { agents { nodes { name } } }')).status === 429) refused += 1;
    expect(refused).toBeGreaterThan(0);
    expect(sample(await scrape(), 'rate_limit_rejections_total{path="/graphql"}') - before).toBe(refused);
  });
});

describe('label cardinality', () => {
  it('gives the first hundred operation names a series each and counts any later or unusual name as other', async () => {
    const metrics = createMetrics(gateway.db);
    const observe = (operationName: string) => {
      const record = startRecord({} as IncomingMessage, 'id', 0);
      record.operationName = operationName;
      record.operationType = 'query';
      metrics.observeRequest('POST', '/graphql', 200, 0.01, record);
    };
    for (let index = 0; index < 150; index += 1) observe(`Operation${index}`);
    observe('x'.repeat(200));
    const text = await metrics.registry.metrics();
    const names = new Set([...text.matchAll(/graphql_operation_duration_seconds_count\{operation="([^"]+)"/g)].map((match) => match[1]));
    expect(names.size).toBe(101);
    expect(sample(text, 'graphql_operation_duration_seconds_count{operation="other",type="query",read_path="none"}')).toBe(51);
  });
});
