import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createStaffedAccount } from '../support/fixtures.ts';

let gateway: TestGateway;
let readToken: string;
let writeToken: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  const { account } = await createStaffedAccount(gateway.db, { agents: 2 });
  readToken = await gateway.tokenFor({ accounts: [account.id], scopes: ['read'] });
  writeToken = await gateway.tokenFor({ accounts: [account.id], scopes: ['read', 'write'] });
});

afterAll(() => gateway?.close());

describe('the GraphQL endpoint without a token', () => {
  it('serves GraphiQL to a browser', async () => {
    const response = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('GraphiQL');
  });

  it('answers introspection', async () => {
    const result = await gateway.graphql(`{ __schema { queryType { name } } __type(name: "Agent") { fields { name } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data.__schema.queryType.name).toBe('Query');
    expect(result.data.__type.fields.map((field: any) => field.name)).toContain('workday');
  });

  it('answers UNAUTHENTICATED for every data field', async () => {
    const result = await gateway.graphql(`{ agents { totalCount } viewer { clientId } }`);
    expect(result.data).toEqual({ agents: null, viewer: null });
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
  });

  it('answers UNAUTHENTICATED for mutations', async () => {
    const result = await gateway.graphql(`mutation { deleteAgent(id: "x") { __typename } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('malformed requests', () => {
  it('rejects a body that is not JSON with a GraphQL error response', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${readToken}` },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]!.message).toMatch(/JSON/i);
  });

  it('rejects an unknown field as a validation error', async () => {
    const result = await gateway.graphql(`{ agents { nodes { shoeSize } } }`, {}, readToken);
    expect(result.errors?.[0]?.message).toMatch(/Cannot query field "shoeSize"/);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('rejects an argument of the wrong type', async () => {
    const result = await gateway.graphql(`{ agents(first: "ten") { totalCount } }`, {}, readToken);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('rejects an id that is not one of ours as BAD_USER_INPUT', async () => {
    const result = await gateway.graphql(`{ node(id: "not-an-id") { id } }`, {}, readToken);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('rejects more than five sort keys', async () => {
    const keys = Array.from({ length: 6 }, () => '{ field: NAME }').join(', ');
    const result = await gateway.graphql(`{ agents(orderBy: [${keys}]) { totalCount } }`, {}, readToken);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('rejects a time zone that is not an IANA name', async () => {
    const result = await gateway.graphql(
      `mutation { createCustomer(input: { name: "A", email: "a@example.com", timeZone: "+02:00" }) { __typename } }`,
      {},
      writeToken,
    );
    expect(result.errors?.[0]?.message).toMatch(/IANA/);
    expect(await gateway.db.customer.count()).toBe(0);
  });
});

describe('scopes', () => {
  it('forbids writes to a token without the write scope', async () => {
    const result = await gateway.graphql(
      `mutation { createCustomer(input: { name: "A", email: "a@example.com" }) { __typename } }`,
      {},
      readToken,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await gateway.db.customer.count()).toBe(0);
  });

  it('tells the client who it is', async () => {
    const result = await gateway.graphql(`{ viewer { clientId scopes accounts { name } } }`, {}, writeToken);
    expect(result.errors).toBeUndefined();
    expect(result.data.viewer.scopes).toEqual(['read', 'write']);
    expect(result.data.viewer.accounts).toHaveLength(1);
  });
});
