import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoTokenEndpoint, DEMO_TOKEN_PATH } from '../../src/graphiql/demo-token.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../support/gateway.ts';

async function page(gateway: TestGateway): Promise<Response> {
  return fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
}

/** Every URL the page would load by itself: scripts, styles, images, workers. */
function loadedUrls(html: string): string[] {
  return [...html.matchAll(/<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
}

function postWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', reject);
    request.end();
  });
}

describe('GraphiQL outside the embedded demo', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway?.close());

  it('is served whole by the gateway, loading nothing from elsewhere', async () => {
    const response = await page(gateway);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('YogaGraphiQL.renderYogaGraphiQL');
    expect(loadedUrls(html).filter((url) => /^(https?:)?\/\//.test(url))).toEqual([]);
    expect(html).toContain('"shouldPersistHeaders":true');
  });

  it('explains the client-credentials call and links the token endpoint, and offers no demo token', async () => {
    const html = await (await page(gateway)).text();
    expect(html).toContain('grant_type=client_credentials');
    expect(html).toContain('href="/.well-known/oauth-authorization-server"');
    expect(html).not.toContain('Use a demo token');
    const response = await fetch(`${gateway.url}${DEMO_TOKEN_PATH}`, { method: 'POST' });
    expect(response.status).toBe(404);
  });
});

describe('GraphiQL in the embedded demo', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({}, { demo: true });
  });
  afterAll(() => gateway?.close());

  it('offers a demo token whose bearer reads every demo account', async () => {
    expect(await (await page(gateway)).text()).toContain('Use a demo token');
    const response = await fetch(`${gateway.url}${DEMO_TOKEN_PATH}`, { method: 'POST', headers: { origin: gateway.url } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { access_token: token } = (await response.json()) as { access_token: string };
    const result = await gateway.graphql(`{ viewer { scopes accounts { name } } }`, {}, token);
    expect(result.data.viewer.scopes).toEqual(expect.arrayContaining(['read', 'write', 'admin']));
    expect(result.data.viewer.accounts.length).toBeGreaterThan(1);
  });

  it('refuses a page of another origin, a host name that is not loopback, and a GET', async () => {
    const crossSite = await fetch(`${gateway.url}${DEMO_TOKEN_PATH}`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).not.toContain('access_token');
    // A DNS-rebinding page reaches 127.0.0.1 under its own name.
    expect(await postWithHost(`${gateway.url}${DEMO_TOKEN_PATH}`, 'rebound.example:80')).toBe(403);
    expect((await fetch(`${gateway.url}${DEMO_TOKEN_PATH}`)).status).toBe(405);
  });

  it('refuses a peer that is not on this machine, even when the gateway listens on every interface', async () => {
    const endpoint = createDemoTokenEndpoint(gateway.gateway.auth, { clientId: 'unused', clientSecret: 'unused' });
    const url = new URL(`http://localhost:4000${DEMO_TOKEN_PATH}`);
    const response = await endpoint(new Request(url, { method: 'POST' }), url, '192.168.1.20');
    expect(response?.status).toBe(403);
  });
});

describe('GRAPHIQL=false', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ GRAPHIQL: 'false' }, { demo: true });
  });
  afterAll(() => gateway?.close());

  it('serves no page and no demo token', async () => {
    const response = await page(gateway);
    expect(await response.text()).not.toContain('GraphiQL');
    expect((await fetch(`${gateway.url}${DEMO_TOKEN_PATH}`, { method: 'POST' })).status).toBe(404);
  });
});

describe.each([
  ['through the compiled reads', 'true'],
  ['through the resolvers', 'false'],
])('INTROSPECTION=false, %s', (_path, compiledReads) => {
  let gateway: TestGateway;
  let token: string;
  beforeAll(async () => {
    gateway = await startTestGateway({ INTROSPECTION: 'false', COMPILED_READS: compiledReads });
    token = await gateway.tokenFor({ accounts: 'all', scopes: ['read'] });
  });
  afterAll(() => gateway?.close());

  it.each([
    ['__schema', `{ agents(first: 1) { totalCount } __schema { queryType { name } } }`],
    ['__type', `{ agents(first: 1) { totalCount } __type(name: "Agent") { name } }`],
  ])('refuses %s, with or without a token', async (_field, query) => {
    for (const bearer of [token, undefined]) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: JSON.stringify({ query }),
      });
      expect(response.status).toBe(400);
      const result = (await response.json()) as GraphQLResponse;
      expect(result.data).toBeUndefined();
      expect(result.errors?.[0]?.message).toMatch(/introspection has been disabled/);
      expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    // The fast path left these to yoga rather than answering them.
    expect(gateway.gateway.fastPath?.served ?? 0).toBe(0);
  });

  it('still answers __typename and ordinary reads', async () => {
    const result = await gateway.graphql(`{ __typename agents(first: 1) { totalCount } }`, {}, token);
    expect(result.errors).toBeUndefined();
    expect(result.data.__typename).toBe('Query');
  });
});

describe('INTROSPECTION=false with the query limits off', () => {
  it('still refuses __schema', async () => {
    const gateway = await startTestGateway({ INTROSPECTION: 'false', QUERY_LIMITS_ENABLED: 'false' });
    try {
      const result = await gateway.graphql(`{ __schema { queryType { name } } }`);
      expect(result.errors?.[0]?.message).toMatch(/introspection has been disabled/);
    } finally {
      await gateway.close();
    }
  });
});
