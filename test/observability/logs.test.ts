import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/auth/api-clients.ts';
import { createStaffedAccount } from '../support/fixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { captureLogs, type CapturedLogs } from './log-capture.ts';

let gateway: TestGateway;
let logs: CapturedLogs;
let token: string;
let clientId: string;
let clientSecret: string;

const AGENTS = 'query Agents { agents(first: 5) { nodes { name } } }';

async function post(query: string, headers: Record<string, string> = {}) {
  return fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query }),
  });
}

async function tokenRequest(secret: string, headers: Record<string, string> = {}) {
  return fetch(`${gateway.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
}

beforeAll(async () => {
  logs = captureLogs();
  gateway = await startTestGateway({}, { logger: logs.logger });
  const { account } = await createStaffedAccount(gateway.db, { agents: 3 });
  const client = await createApiClient(gateway.db, { name: `logs ${randomUUID()}`, scopes: ['read'], accounts: [account.id] });
  ({ clientId, clientSecret } = client);
  token = ((await (await tokenRequest(clientSecret)).json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await gateway?.close();
});

describe('access lines', () => {
  it('logs one line per compiled fast-path read with its operation, client, cost and read path, under the id echoed to the caller', async () => {
    const response = await post(AGENTS);
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const line = await logs.waitFor((entry) => entry.requestId === requestId);
    expect(line).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operationName: 'Agents',
      operationType: 'query',
      clientId,
      readPath: 'compiled-fast-path',
    });
    expect(line.cost).toBeGreaterThan(0);
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    expect(logs.lines.filter((text) => text.includes(requestId!))).toHaveLength(1);
  });

  it('says when yoga served a read through the compiled plugin, and logs the path without its query string', async () => {
    const response = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent(AGENTS)}`, {
      headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const line = await logs.waitFor((entry) => entry.requestId === response.headers.get('x-request-id'));
    expect(line).toMatchObject({ method: 'GET', path: '/graphql', operationName: 'Agents', readPath: 'compiled-plugin', clientId });
  });

  it('keeps an acceptable X-Request-Id, replaces an unacceptable one, and echoes it from the token endpoint too', async () => {
    const kept = await post(AGENTS, { 'x-request-id': 'trace-1234.abc:9' });
    expect(kept.headers.get('x-request-id')).toBe('trace-1234.abc:9');
    await logs.waitFor((entry) => entry.requestId === 'trace-1234.abc:9' && entry.status === 200);

    for (const unacceptable of ['a'.repeat(129), 'two words', 'line\u00e9break']) {
      const replaced = await post(AGENTS, { 'x-request-id': unacceptable });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }

    const token = await tokenRequest(clientSecret, { 'x-request-id': 'token-request-1' });
    expect(token.headers.get('x-request-id')).toBe('token-request-1');
    expect(await logs.waitFor((entry) => entry.requestId === 'token-request-1')).toMatchObject({ path: '/oauth/token', status: 200 });
  });

  it('logs a refusal for a limit with its error code and no cost', async () => {
    const deep = `query Deep { agents { nodes { teams { agents { nodes { teams { agents { nodes { teams { agents { nodes { name } } } } } } } } } } } }`;
    const response = await post(deep);
    expect(response.status).toBe(400);
    const line = await logs.waitFor((entry) => entry.requestId === response.headers.get('x-request-id'));
    expect(line).toMatchObject({ status: 400, errorCodes: ['QUERY_TOO_COMPLEX'] });
    expect(line.cost).toBeUndefined();
  });
});

describe('secrets', () => {
  it('never writes a bearer token or a client secret into a log line, even of a failed request', async () => {
    await post(AGENTS);
    await post('{ nothing }');
    const wrongSecret = `${clientSecret}x`;
    expect((await tokenRequest(wrongSecret)).status).toBe(401);
    const issued = ((await (await tokenRequest(clientSecret)).json()) as { access_token: string }).access_token;
    await post(AGENTS, { authorization: `Bearer ${issued}x` });
    await logs.waitFor((entry) => entry.path === '/graphql' && entry.status === 401);
    const everything = logs.lines.join('');
    for (const secret of [token, issued, clientSecret, wrongSecret]) expect(everything).not.toContain(secret);
    // The same holds for any part of a token long enough to identify it.
    expect(everything).not.toContain(token.split('.')[2]!);
  });
});

describe('unexpected errors', () => {
  it('logs each one once, with its stack and the request id, and answers the caller a masked error', async () => {
    const own = captureLogs();
    const broken = await startTestGateway({ COMPILED_READS: 'false' }, { logger: own.logger });
    try {
      const { account } = await createStaffedAccount(broken.db, { agents: 1 });
      const readToken = await broken.tokenFor({ accounts: [account.id], scopes: ['read'] });
      // A schema the code does not expect: the resolvers' statement fails with an error no one anticipated.
      await broken.db.$executeRawUnsafe('ALTER TABLE agents RENAME COLUMN email TO email_gone');
      const response = await fetch(`${broken.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${readToken}` },
        body: JSON.stringify({ query: 'query Emails { agents { nodes { email } } }' }),
      });
      const body = (await response.json()) as { errors: Array<{ message: string }> };
      expect(body.errors[0]!.message).toBe('Unexpected error.');
      const requestId = response.headers.get('x-request-id')!;
      await own.waitFor((entry) => entry.requestId === requestId && entry.msg === 'request');
      const errors = own.lines.map((line) => JSON.parse(line)).filter((entry) => entry.level >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ msg: 'unexpected error', requestId, operationName: 'Emails' });
      expect(errors[0].err.stack).toContain('email');
      expect(own.lines.join('')).not.toContain(readToken);
    } finally {
      await broken.close();
    }
  });
});
