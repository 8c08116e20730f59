import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiClient } from '../../src/auth/api-clients.ts';
import { createDb } from '../../src/db/client.ts';
import { adminQuery } from '../support/admin.ts';
import { createBookableAccount } from '../support/booking-fixtures.ts';
import { databaseUrl } from '../support/database-url.ts';
import { fetchToken, startGatewayProcess, type GatewayProcess } from '../faults/support.ts';

/** A span as OTLP/HTTP's JSON encoding sends it (ids in hex), with its attributes flattened. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

const SERVER_KIND = 2;

/**
 * An OpenTelemetry collector for the test: POST /v1/traces of OTLP/HTTP
 * JSON, keeping every span and the headers each export came with.
 */
async function startReceiver() {
  const spans: ReceivedSpan[] = [];
  const exports: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces' || !request.headers['content-type']?.startsWith('application/json')) {
        response.writeHead(415).end();
        return;
      }
      exports.push({ headers: request.headers, body });
      const payload = JSON.parse(body) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Omit<ReceivedSpan, 'attributes'> & { attributes?: Array<{ key: string; value: Record<string, unknown> }> }> }> }>;
      };
      for (const resource of payload.resourceSpans) {
        for (const scope of resource.scopeSpans) {
          for (const span of scope.spans) {
            const attributes = Object.fromEntries((span.attributes ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
            spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId || undefined, name: span.name, kind: span.kind, attributes });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    exports,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const FAST_PATH_QUERY = 'query AgentNames { agents(first: 5) { totalCount nodes { name } } }';
/** A `where` argument the read compiler does not take: the resolvers answer. */
const RESOLVER_QUERY = 'query SchedulableAgents { agents(first: 5, where: { schedulable: true }) { nodes { name email } } }';

describe('OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  const name = `tracing_${randomUUID().replaceAll('-', '')}`;
  const url = databaseUrl(inject('adminDatabaseUrl'), name);
  const collectorKey = `collector-${randomBytes(8).toString('hex')}`;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let gateway: GatewayProcess;
  let credentials: { clientId: string; clientSecret: string };
  let token: string;
  const accessLines: Array<Record<string, unknown>> = [];
  const callerTrace = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
    const { db } = createDb(url);
    const fixture = await createBookableAccount(db, { agents: 3 });
    credentials = await createApiClient(db, { name: 'tracing', scopes: ['read'], accounts: [fixture.account.id] });
    await db.$disconnect();
    receiver = await startReceiver();
    gateway = await startGatewayProcess(url, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: `x-collector-key=${collectorKey}`,
      OTEL_SERVICE_NAME: 'gateway-under-test',
    });
    token = await fetchToken(gateway.url, credentials.clientId, credentials.clientSecret);
    const graphql = (query: string, headers: Record<string, string> = {}) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify({ query }),
      }).then((response) => response.json());
    expect(await graphql(FAST_PATH_QUERY, { traceparent: `00-${callerTrace.traceId}-${callerTrace.spanId}-01` })).toMatchObject({ data: { agents: { totalCount: 3 } } });
    expect(((await graphql(RESOLVER_QUERY)) as { data: { agents: { nodes: unknown[] } } }).data.agents.nodes).toHaveLength(3);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    // A graceful stop exports the spans still buffered.
    await gateway.stop();
    for (const line of gateway.output().split('\n')) {
      if (line.includes('"msg":"request"')) accessLines.push(JSON.parse(line) as Record<string, unknown>);
    }
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await receiver?.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  const byId = (spanId: string | undefined) => receiver.spans.find((span) => span.spanId === spanId);
  const isDescendant = (span: ReceivedSpan, ancestor: ReceivedSpan) => {
    for (let parent = byId(span.parentSpanId); parent; parent = byId(parent.parentSpanId)) if (parent.spanId === ancestor.spanId) return true;
    return false;
  };

  /** The trace of one GraphQL operation: its HTTP span, its operation span (the HTTP span's child) and its SQL spans below that. */
  function traceOf(operationName: string) {
    const operation = receiver.spans.find((span) => span.name === `query ${operationName}`);
    expect(operation, `a span for ${operationName}`).toBeDefined();
    const http = byId(operation!.parentSpanId);
    expect(http).toMatchObject({ name: 'POST /graphql', kind: SERVER_KIND, traceId: operation!.traceId });
    const sql = receiver.spans.filter((span) => span.attributes['db.system.name'] === 'postgresql' && isDescendant(span, operation!));
    expect(sql.length, `SQL spans below ${operationName}`).toBeGreaterThan(0);
    for (const span of sql) expect(span.traceId).toBe(operation!.traceId);
    return { http: http!, operation: operation!, sql };
  }

  it('exports a span per HTTP request, GraphQL operation and SQL statement for a compiled read on the fast path, continuing the caller’s traceparent', () => {
    expect(accessLines.find((line) => line.operationName === 'AgentNames')).toMatchObject({ readPath: 'compiled-fast-path' });
    const { http, operation, sql } = traceOf('AgentNames');
    expect(http.traceId).toBe(callerTrace.traceId);
    expect(http.parentSpanId).toBe(callerTrace.spanId);
    expect(operation.attributes).toEqual({ 'graphql.operation.name': 'AgentNames', 'graphql.operation.type': 'query', 'gateway.read_path': 'compiled-fast-path' });
    // The compiled read is one statement, which builds the response body.
    expect(sql.some((span) => String(span.attributes['db.query.text']).includes('json'))).toBe(true);
  });

  it('does the same for an operation the resolvers answer (Prisma’s statements), in a trace of its own', () => {
    expect(accessLines.find((line) => line.operationName === 'SchedulableAgents')).toMatchObject({ readPath: 'resolvers' });
    const { http, operation, sql } = traceOf('SchedulableAgents');
    expect(http.parentSpanId).toBeUndefined();
    expect(http.traceId).not.toBe(callerTrace.traceId);
    expect(operation.attributes).toEqual({ 'graphql.operation.name': 'SchedulableAgents', 'graphql.operation.type': 'query', 'gateway.read_path': 'resolvers' });
    expect(sql.some((span) => /\bagents\b/.test(String(span.attributes['db.query.text'])))).toBe(true);
  });

  it('names the service, sends the configured headers to the collector, and traces neither probes nor statements outside requests', () => {
    expect(receiver.exports.length).toBeGreaterThan(0);
    for (const exported of receiver.exports) expect(exported.headers['x-collector-key']).toBe(collectorKey);
    expect(receiver.exports[0]!.body).toContain('"gateway-under-test"');
    expect(receiver.spans.filter((span) => span.name === 'POST /oauth/token')).toHaveLength(1);
    expect(receiver.spans.some((span) => span.name.includes('/readyz'))).toBe(false);
    // Every SQL statement belongs to a request's trace: migrations and readiness checks at start make none.
    for (const span of receiver.spans) if (span.kind !== SERVER_KIND) expect(span.parentSpanId, span.name).toBeDefined();
  });

  it('puts no token, secret or credential in any span', () => {
    const everything = receiver.exports.map((exported) => exported.body).join('\n');
    for (const secret of [token, credentials.clientSecret, collectorKey, Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toMatch(/authorization/i);
  });
});
