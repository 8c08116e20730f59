import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, YOGA_ENDPOINT, type TestGateway } from '../support/gateway.ts';
import { createStaffedAccount } from '../support/fixtures.ts';

let gateway: TestGateway;
let readToken: string;
let revokedToken: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  const { account } = await createStaffedAccount(gateway.db, { agents: 2 });
  readToken = await gateway.tokenFor({ accounts: [account.id], scopes: ['read'] });
  revokedToken = await gateway.tokenFor({ accounts: [account.id], scopes: ['read'] });
  const claims = JSON.parse(Buffer.from(revokedToken.split('.')[1]!, 'base64url').toString()) as { client_id: string };
  await gateway.db.apiClient.update({ where: { clientId: claims.client_id }, data: { revokedAt: new Date() } });
});
afterAll(() => gateway?.close());

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

async function post(query: string, options: { token?: string; accept?: string; origin?: string; throughYoga?: boolean } = {}) {
  const response = await fetch(`${gateway.url}${options.throughYoga ? YOGA_ENDPOINT : '/graphql'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: options.accept ?? GRAPHQL_RESPONSE,
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...(options.origin && { origin: options.origin }),
    },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as any };
}

const READ = '{ agents(first: 1) { totalCount } }';

describe('authentication failures, for a client accepting application/graphql-response+json', () => {
  it('answer 401 with a Bearer challenge and no error when no token was sent (RFC 6750 §3.1)', async () => {
    const answer = await post(READ);
    expect(answer.status).toBe(401);
    expect(answer.challenge).toBe('Bearer realm="scheduling-gateway"');
    expect(answer.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answer 401 with error="invalid_token" for a malformed, forged or revoked token', async () => {
    for (const token of ['not-a-jwt', `${readToken.slice(0, -4)}AAAA`, revokedToken]) {
      const answer = await post(READ, { token });
      expect(answer.status).toBe(401);
      expect(answer.challenge).toBe('Bearer realm="scheduling-gateway", error="invalid_token"');
      expect(answer.body).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })] });
    }
  });

  it('answer the same through yoga as the fast path hands over', async () => {
    const fast = await post(READ, { token: revokedToken });
    const yoga = await post(READ, { token: revokedToken, throughYoga: true });
    expect(yoga).toEqual(fast);
  });
});

describe('authorisation failures', () => {
  it('answer 403 FORBIDDEN for a scope the token lacks', async () => {
    const answer = await post('mutation { deleteAgent(id: "QWdlbnQ6eA") { __typename } }', { token: readToken });
    expect(answer.status).toBe(403);
    expect(answer.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('answer 403 FORBIDDEN for an account outside the token, on the compiled read path too', async () => {
    const outside = Buffer.from('Account:00000000-0000-4000-8000-000000000000').toString('base64url');
    const answer = await post(`{ agents(first: 1, accountIds: ["${outside}"]) { totalCount } }`, { token: readToken });
    expect(answer.status).toBe(403);
    expect(answer.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('a client accepting only application/json', () => {
  it('gets 200 with the same body and the challenge header (GraphQL-over-HTTP’s legacy rule for that type)', async () => {
    const anonymous = await post(READ, { accept: 'application/json' });
    expect(anonymous.status).toBe(200);
    expect(anonymous.challenge).toBe('Bearer realm="scheduling-gateway"');
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const forbidden = await post('mutation { deleteAgent(id: "QWdlbnQ6eA") { __typename } }', { token: readToken, accept: 'application/json' });
    expect(forbidden.status).toBe(200);
    expect(forbidden.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('CORS', () => {
  it('answers no CORS headers to an origin not listed, and never allows credentials', async () => {
    const preflight = await preflightFrom(gateway, 'https://evil.example');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const answer = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps same-origin GraphiQL working: its page loads and its POSTs are answered', async () => {
    const page = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('GraphiQL');
    const answer = await post('{ __typename }', { origin: gateway.url });
    expect(answer.body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('CORS with CORS_ORIGINS', () => {
  it('allows a preflight from a listed origin, for the listed origin only, without credentials', async () => {
    const listed = await startTestGateway({ CORS_ORIGINS: 'https://app.example, https://admin.example/' });
    try {
      const allowed = await preflightFrom(listed, 'https://admin.example');
      expect(allowed.status).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://admin.example');
      expect(allowed.headers['access-control-allow-headers']).toMatch(/authorization/i);
      expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
      const other = await preflightFrom(listed, 'https://app.example.evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const answer = await fetch(`${listed.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://app.example' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(answer.headers.get('access-control-expose-headers')).toMatch(/RateLimit-Remaining/);
    } finally {
      await listed.close();
    }
  });
});

describe('CORS on both read paths', () => {
  it('serves a browser’s compiled read on the fast path with the same CORS headers and body as yoga', async () => {
    const listed = await startTestGateway({ CORS_ORIGINS: 'https://app.example' });
    try {
      const token = await listed.tokenFor({ accounts: 'all', scopes: ['read'] });
      const fromBrowser = (path: string, origin: string) =>
        fetch(`${listed.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE, authorization: `Bearer ${token}`, origin },
          body: JSON.stringify({ query: READ }),
        });
      const corsHeaders = (response: Response) => Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

      const served = listed.gateway.fastPath!.served;
      const fast = await fromBrowser('/graphql', 'https://app.example');
      expect(listed.gateway.fastPath!.served).toBe(served + 1);
      const yoga = await fromBrowser(YOGA_ENDPOINT, 'https://app.example');
      expect(listed.gateway.fastPath!.served).toBe(served + 1);
      expect(fast.status).toBe(200);
      expect(await fast.text()).toBe(await yoga.text());
      expect(corsHeaders(fast)).toEqual(corsHeaders(yoga));
      expect(fast.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(fast.headers.get('vary')).toMatch(/\bOrigin\b/);
      expect(yoga.headers.get('vary')).toMatch(/\bOrigin\b/);

      // Another origin is answered (the browser, not the server, withholds it) without any CORS header, on both paths.
      const elsewhere = await fromBrowser('/graphql', 'https://evil.example');
      expect(listed.gateway.fastPath!.served).toBe(served + 2);
      expect(corsHeaders(elsewhere)).toEqual({});
      expect(corsHeaders(await fromBrowser(YOGA_ENDPOINT, 'https://evil.example'))).toEqual({});
    } finally {
      await listed.close();
    }
  });
});

/** A real preflight, as a browser sends it before a cross-origin POST with a bearer token. */
function preflightFrom(target: TestGateway, origin: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const url = new URL(`${target.url}/graphql`);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}
