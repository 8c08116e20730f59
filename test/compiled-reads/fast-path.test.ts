import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffedAccount, encodeId } from '../support/fixtures.ts';
import { startTestGateway, YOGA_ENDPOINT, type TestGateway } from '../support/gateway.ts';

let gateway: TestGateway;
let token: string;
let agentId: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  const { account, agents } = await createStaffedAccount(gateway.db, { agents: 3 });
  agentId = encodeId('Agent', agents[0]!.id);
  token = await gateway.tokenFor({ accounts: [account.id], scopes: ['read', 'write'] });
});

afterAll(() => gateway?.close());

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** A raw HTTP POST to /graphql (or `options.path`): the body as given, the headers as given plus a bearer token. */
function post(body: string, headers: Record<string, string> = {}, options: { chunked?: boolean; path?: string } = {}): Promise<Answer> {
  const url = new URL(`${gateway.url}${options.path ?? '/graphql'}`);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(options.chunked ? {} : { 'content-length': Buffer.byteLength(body) }), ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, contentType: response.headers['content-type'], body: text }));
      },
    );
    request.on('error', reject);
    if (options.chunked) {
      request.write(body.slice(0, 5));
      request.end(body.slice(5));
    } else {
      request.end(body);
    }
  });
}

/** The same request through yoga, at an address the fast path does not take. */
const throughYoga = (body: string, headers: Record<string, string> = {}) => post(body, headers, { path: YOGA_ENDPOINT });

/** Posts `body` both ways and expects the same status, media type and bytes; returns whether the fast path served it. */
async function expectSameAnswer(body: string, headers: Record<string, string> = {}) {
  const yoga = await throughYoga(body, headers);
  const before = gateway.gateway.fastPath!.served;
  const fast = await post(body, headers);
  expect(fast).toEqual(yoga);
  return { served: gateway.gateway.fastPath!.served > before, answer: fast };
}

describe('the compiled reads’ fast path', () => {
  const list = JSON.stringify({ query: '{ agents(first: 2, orderBy: [{ field: NAME }]) { totalCount nodes { id name } } }' });

  it('answers a compiled read without yoga, with the bytes and headers yoga sends', async () => {
    for (const accept of [undefined, 'application/json', 'application/graphql-response+json', 'application/graphql-response+json, application/json', '*/*']) {
      const { served, answer } = await expectSameAnswer(list, accept ? { accept } : {});
      expect(served).toBe(true);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).data.agents.nodes).toHaveLength(2);
    }
    const node = JSON.stringify({ query: 'query ($id: ID!) { node(id: $id) { ... on Agent { name } } }', variables: { id: agentId }, operationName: null });
    expect((await expectSameAnswer(node)).served).toBe(true);
  });

  it('hands everything else to yoga, which answers as it always does', async () => {
    const others: Array<[string, string, Record<string, string>?]> = [
      ['not JSON', '{"query": '],
      ['an empty object', '{}'],
      ['a batch', `[${list}]`],
      ['a document that fails validation', JSON.stringify({ query: '{ agents { nope } }' })],
      ['a syntax error', JSON.stringify({ query: '{ agents {' })],
      ['variables of the wrong type', JSON.stringify({ query: 'query ($first: Int) { agents(first: $first) { totalCount } }', variables: { first: 'many' } })],
      ['extensions', JSON.stringify({ query: '{ agents { totalCount } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } })],
      ['a field the compiler does not know', JSON.stringify({ query: '{ viewer { clientId } }' })],
      ['an account outside the token', JSON.stringify({ query: `{ agents(accountIds: ["${encodeId('Account', '00000000-0000-0000-0000-000000000000')}"]) { totalCount } }` })],
      ['a mutation', JSON.stringify({ query: 'mutation { createTeam(input: { internalName: "Fast" }) { __typename } }' })],
      ['a streaming Accept', list, { accept: 'text/event-stream' }],
      ['another content type', list, { 'content-type': 'text/plain' }],
      ['a rejected token', list, { authorization: 'Bearer not.a.token' }],
    ];
    for (const [what, body, headers] of others) {
      const yoga = await throughYoga(body, headers);
      const before = gateway.gateway.fastPath!.served;
      const fast = await post(body, headers);
      // Two mutations create two teams: compare their shape, not their ids.
      expect({ what, ...fast, body: fast.body.replace(/"id":"[^"]+"/g, '"id":…') }).toEqual({ what, ...yoga, body: yoga.body.replace(/"id":"[^"]+"/g, '"id":…') });
      expect({ what, served: gateway.gateway.fastPath!.served > before }).toEqual({ what, served: false });
    }
  });

  it('leaves a body without a length (chunked) to yoga', async () => {
    const before = gateway.gateway.fastPath!.served;
    const answer = await post(list, {}, { chunked: true });
    expect(JSON.parse(answer.body).data.agents.totalCount).toBe(3);
    expect(gateway.gateway.fastPath!.served).toBe(before);
  });

  it('checks the client in its statement: a revoked client gets UNAUTHENTICATED from yoga', async () => {
    const client = await gateway.tokenFor({ accounts: 'all', scopes: ['read'] });
    expect((await post(list, { authorization: `Bearer ${client}` })).status).toBe(200);
    // The only all-accounts client of this file.
    await gateway.db.apiClient.updateMany({ where: { revokedAt: null, name: { startsWith: 'test ' }, allAccounts: true }, data: { revokedAt: new Date() } });
    const before = gateway.gateway.fastPath!.served;
    const answer = JSON.parse((await post(list, { authorization: `Bearer ${client}` })).body) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(gateway.gateway.fastPath!.served).toBe(before);
  });
});
