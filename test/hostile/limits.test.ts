import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../../src/schema/global-id.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Hostile operations, each of which took the gateway down or held it for
 * seconds before it measured operations (issue #10), sent over HTTP to a
 * gateway with the default limits, on both read paths: each is answered
 * with its typed error within a second, before any SQL, and the process's
 * memory stays within budget.
 */

/** The gateway runs in this process: its resident memory is this process's. */
function residentMegabytes(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** Growth of this process's resident memory the whole suite may cause (its attacks, answered, included). */
const RSS_BUDGET_MB = 150;

const DEADLINE_MS = 1_000;

interface Answer {
  status: number;
  body: any;
  elapsed: number;
  /** SQL statements the gateway ran meanwhile. */
  statements: number;
}

function nested(levels: number, innermost = 'name'): string {
  let selection = innermost;
  for (let level = 0; level < levels; level += 1) selection = `teams { members { agent { ${selection} } } }`;
  return `{ agents(first: 100) { nodes { ${selection} } } }`;
}

const teamId = () => encodeId('Team', randomUUID());

const PATHS = [
  { path: 'the compiled reads’ fast path', environment: { COMPILED_READS: 'true' } },
  { path: 'yoga’s path', environment: { COMPILED_READS: 'false' } },
];

describe.each(PATHS)('an operation over a limit, on $path,', ({ environment }) => {
  let gateway: TestGateway;
  let token: string;
  let rssAtStart: number;
  let rssPeak = 0;

  beforeAll(async () => {
    gateway = await startTestGateway(environment);
    token = await gateway.tokenFor({ accounts: 'all' });
    rssAtStart = residentMegabytes();
  });
  afterAll(async () => {
    await gateway.close();
  });

  /** POSTs a body to /graphql, timing the answer and counting the SQL statements run meanwhile. */
  async function post(body: string, headers: Record<string, string> = {}): Promise<Answer> {
    const statementsBefore = gateway.statements.count;
    const started = performance.now();
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${token}`,
        ...headers,
      },
      body,
    });
    const text = await response.text();
    const elapsed = performance.now() - started;
    rssPeak = Math.max(rssPeak, residentMegabytes());
    const statements = gateway.statements.count - statementsBefore;
    return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text, elapsed, statements };
  }

  const operation = (query: string, variables?: Record<string, unknown>) => post(JSON.stringify({ query, variables }));

  function expectRefused(answer: Answer, measure: string | string[], status = 400) {
    expect(answer.status).toBe(status);
    expect(answer.elapsed).toBeLessThan(DEADLINE_MS);
    expect(answer.statements, 'SQL statements run').toBe(0);
    const [error] = answer.body.errors;
    expect(error.extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect([measure].flat()).toContain(error.extensions.measure);
    expect(error.extensions.measured).toBeGreaterThan(error.extensions.limit);
    expect(error.message).toMatch(/at most|more than/);
  }

  it('is refused when it nests 12 levels of agents, teams and members', async () => {
    const answer = await operation(nested(3));
    expectRefused(answer, 'depth');
    expect(answer.body.errors[0].extensions).toMatchObject({ limit: 10, measured: 12 });
  });

  it('is refused when it nests 16 levels', async () => {
    const answer = await operation(nested(4, 'teams { name }'));
    expectRefused(answer, 'depth');
    expect(answer.body.errors[0].extensions).toMatchObject({ limit: 10, measured: 16 });
  });

  it('is refused when it aliases 1,000 lists (its 9,000 tokens come first), and 31', async () => {
    const aliases = (count: number) => Array.from({ length: count }, (_, index) => `a${index}: agents(first: 100) { nodes { id } }`).join(' ');
    expectRefused(await operation(`{ ${aliases(1_000)} }`), 'tokens');
    const answer = await operation(`{ ${aliases(31)} }`);
    expectRefused(answer, 'aliases');
    expect(answer.body.errors[0].extensions).toMatchObject({ limit: 30, measured: 31 });
  });

  it('is refused when fragments fan out over 5 levels', async () => {
    const levels = Array.from({ length: 5 }, (_, level) =>
      level === 4 ? 'fragment L4 on Agent { name }' : `fragment L${level} on Agent { x: teams { members { agent { ...L${level + 1} } } } y: teams { members { agent { ...L${level + 1} } } } }`,
    );
    expectRefused(await operation(`{ agents(first: 100) { nodes { ...L0 } } } ${levels.join(' ')}`), ['depth', 'aliases', 'breadth', 'cost']);
  });

  it('is refused when it asks for a page of 1,000,000', async () => {
    const answer = await operation('{ bookings(first: 1000000) { nodes { id } } }');
    expectRefused(answer, 'pageSize');
    expect(answer.body.errors[0].extensions).toMatchObject({ limit: 100, measured: 1_000_000 });
  });

  it('is refused when the page size comes in a variable', async () => {
    expectRefused(await operation('query Page($first: Int) { bookings(first: $first) { nodes { id } } }', { first: 5_000 }), 'pageSize');
  });

  it('is refused when its lists multiply past the cost budget', async () => {
    const answer = await operation('{ agents(first: 100) { nodes { teams { members { agent { teams { members { agent { name } } } } } } } } }');
    expectRefused(answer, 'cost');
    expect(answer.body.errors[0].extensions.limit).toBe(50_000);
  });

  it('is refused when it asks for 100,000 nodes by id, and for 101', async () => {
    const ids = Array.from({ length: 100_000 }, (_, index) => String(index % 10));
    expectRefused(await operation('query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids }), 'variablesBytes');
    const answer = await operation('query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 101 }, () => encodeId('Agent', randomUUID())) });
    expectRefused(answer, 'nodeIds');
    expect(answer.body.errors[0].extensions).toMatchObject({ limit: 100, measured: 101 });
  });

  it('is refused, with the argument’s own error, when a malformed id keeps it from being measured', async () => {
    const answer = await operation('{ nodes(ids: ["not an id"]) { id } agents(first: 100) { nodes { name } } }');
    expect(answer.statements).toBe(0);
    expect(answer.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(answer.body.data).toBeUndefined();
  });

  it('is refused when it asks for 10 day-grouped reports over 26 years', async () => {
    const report = (index: number) =>
      `r${index}: schedulingReport(input: { subject: BOOKINGS, from: "2000-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z", groupBy: [DAY], limit: 10000 }) { period count }`;
    expectRefused(await operation(`{ ${Array.from({ length: 10 }, (_, index) => report(index)).join(' ')} }`), 'cost');
  });

  it('is refused when it asks for 40 availabilities of 59 days, and for 9', async () => {
    const availability = (index: number) =>
      `a${index}: availability(input: { appointmentTypeId: "${encodeId('AppointmentType', randomUUID())}", resourceId: "${teamId()}", from: "2027-03-01T00:00:00Z", to: "2027-04-29T00:00:00Z" }) { startsAt endsAt }`;
    const many = (count: number) => `{ ${Array.from({ length: count }, (_, index) => availability(index)).join(' ')} }`;
    expectRefused(await operation(many(40)), ['aliases', 'cost']);
    expectRefused(await operation(many(9)), 'cost');
  });

  it('is refused when its document has more than 2,000 tokens', async () => {
    const fields = Array.from({ length: 60_000 }, () => '__typename').join(' ');
    const answer = await operation(`{ ${fields} }`);
    expectRefused(answer, 'tokens');
    expect(answer.body.errors[0].extensions).toMatchObject({ limit: 2_000, measured: 2_001 });
  });

  it('is refused, as too large a body, when its document of 100,000 fields takes 1.9 MB', async () => {
    const fields = Array.from({ length: 100_000 }, (_, index) => `field${index}: clientId`).join(' ');
    const body = JSON.stringify({ query: `{ viewer { ${fields} } }` });
    expect(body.length).toBeGreaterThan(1_800_000);
    const answer = await post(body);
    expect(answer.status).toBe(413);
    expect(answer.elapsed).toBeLessThan(DEADLINE_MS);
    expect(answer.statements).toBe(0);
    expect(answer.body.errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  it('is refused, never a 500, when it nests list literals 10,000 deep in 20 KB', async () => {
    const query = `query { agents(where: ${'['.repeat(10_000)}${']'.repeat(10_000)}) { totalCount } }`;
    expectRefused(await operation(query), 'tokens');
  });

  it('is refused when it nests input values 50 deep, in the document or in its variables', async () => {
    expectRefused(await operation(`query { agents(where: ${'['.repeat(50)}${']'.repeat(50)}) { totalCount } }`), 'inputDepth');
    expectRefused(await operation(`query { agents(where: ${'{ name: '.repeat(50)}null${' }'.repeat(50)}) { totalCount } }`), 'inputDepth');
    // 100,000 levels, 1 MB of JSON: written as text, which JSON.stringify could not do without overflowing the stack.
    const deep = `${'{"name":'.repeat(100_000)}"x"${'}'.repeat(100_000)}`;
    const query = JSON.stringify('query Agents($where: AgentWhere) { agents(where: $where) { totalCount } }');
    expectRefused(await post(`{"query":${query},"variables":{"where":${deep}}}`), 'inputDepth');
  });

  it('is refused by graphql’s own rule when it nests introspection deep', async () => {
    const answer = await operation('{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }');
    expect(answer.status).toBe(400);
    expect(answer.elapsed).toBeLessThan(DEADLINE_MS);
    expect(answer.statements).toBe(0);
    expect(answer.body.errors[0]).toMatchObject({ message: 'Maximum introspection depth exceeded', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it('is refused whole when it comes as a batch of 1,000 operations', async () => {
    const answer = await post(JSON.stringify(Array.from({ length: 1_000 }, () => ({ query: '{ viewer { clientId } }' }))));
    expect(answer.status).toBe(400);
    expect(answer.elapsed).toBeLessThan(DEADLINE_MS);
    expect(answer.statements).toBe(0);
    expect(answer.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('is refused before authentication: a request without a token learns the limit, not that it lacks a token', async () => {
    const statementsBefore = gateway.statements.count;
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: nested(4) }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(gateway.statements.count).toBe(statementsBefore);
  });

  it('leaves operations within the limits to run as before', async () => {
    const served = gateway.gateway.fastPath?.served ?? 0;
    const answer = await operation('{ agents(first: 100) { nodes { teams { members { agent { name } } } } } }');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { agents: { nodes: [] } } });
    if (gateway.gateway.fastPath) expect(gateway.gateway.fastPath.served).toBe(served + 1);
  });

  it('leaves the memory of the process within its budget', () => {
    expect(rssPeak - rssAtStart).toBeLessThan(RSS_BUDGET_MB);
  });
});

describe('a request too large to read', () => {
  let gateway: TestGateway;
  let rssAtStart: number;

  beforeAll(async () => {
    gateway = await startTestGateway();
    rssAtStart = residentMegabytes();
  });
  afterAll(async () => {
    await gateway.close();
  });

  /** A body of `megabytes` sent in 64 KB chunks, made as it is sent: the test holds none of it. */
  function streamedBody(megabytes: number): ReadableStream<Uint8Array> {
    const chunk = new Uint8Array(64 * 1024).fill(0x78);
    let sent = 0;
    return new ReadableStream({
      pull(controller) {
        if (sent >= megabytes * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
  }

  /** Sends a POST with Node's client, which reads an early answer while the body is still going out. */
  function rawPost(path: string, headers: Record<string, string | number>, megabytes: number): Promise<{ status: number; body: any; elapsed: number }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${gateway.url}${path}`, { method: 'POST', headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()), elapsed: performance.now() - started }));
      });
      request.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const write = () => {
        while (sent < megabytes * 1024 * 1024) {
          sent += chunk.byteLength;
          if (!request.write(chunk)) return void request.once('drain', write);
        }
        request.end();
      };
      write();
    });
  }

  it('answers 413 to a 10 MB GraphQL body, with a GraphQL error', async () => {
    const answer = await rawPost('/graphql', { 'content-type': 'application/json', 'content-length': 10 * 1024 * 1024 }, 10);
    expect(answer.status).toBe(413);
    expect(answer.elapsed).toBeLessThan(DEADLINE_MS);
    expect(answer.body.errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  it('answers 413 to a 10 MB GraphQL body sent without a length, once 1 MB has come', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamedBody(10),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  it('answers 413 to four concurrent 50 MB token requests, with an OAuth error, and lives on', async () => {
    const answers = await Promise.all(
      [0, 1, 2, 3].map(() => rawPost('/oauth/token', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': 50 * 1024 * 1024 }, 50)),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(413);
      expect(answer.elapsed).toBeLessThan(DEADLINE_MS);
      expect(answer.body).toMatchObject({ error: 'invalid_request', error_description: 'The request body exceeds 1048576 bytes' });
    }
    expect(await gateway.tokenFor({ accounts: 'all' })).toBeTruthy();
  });

  it('answers 413 to a 50 MB token request sent without a length, having read no more than 1 MB of it', async () => {
    const response = await fetch(`${gateway.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: streamedBody(50),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('answers 414 to a 10 KB query string, and Node answers 431 to a 100 KB one', async () => {
    const query = encodeURIComponent(`{ ${'__typename '.repeat(1_000)}}`);
    const tooLong = await fetch(`${gateway.url}/graphql?query=${query}`, { headers: { accept: 'application/json' } });
    expect(tooLong.status).toBe(414);
    expect(((await tooLong.json()) as any).errors[0].extensions.code).toBe('URI_TOO_LONG');
    const farTooLong = await fetch(`${gateway.url}/graphql?query=${'x'.repeat(100 * 1024)}`);
    expect(farTooLong.status).toBe(431);
  });

  it('leaves the memory of the process within its budget', () => {
    expect(residentMegabytes() - rssAtStart).toBeLessThan(RSS_BUDGET_MB);
  });
});
