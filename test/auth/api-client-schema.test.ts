import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/auth/api-clients.ts';
import { encodeId } from '../../src/schema/global-id.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createAccount, requestToken } from './helpers.ts';

let gateway: TestGateway;
let accountA: string;
let accountB: string;
let adminOfA: string;
let adminOfAll: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  accountA = (await createAccount(gateway.db, 'Alpha')).id;
  accountB = (await createAccount(gateway.db, 'Beta')).id;
  adminOfA = await gateway.tokenFor({ accounts: [accountA], scopes: ['read', 'write', 'admin'] });
  adminOfAll = await gateway.tokenFor({ accounts: 'all', scopes: ['read', 'write', 'admin'] });
});
afterAll(() => gateway?.close());

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateApiClientInput!) {
    createApiClient(input: $input) {
      __typename
      ... on CreateApiClientSuccess {
        data { clientSecret apiClient { id clientId name scopes allAccounts accounts { id } revokedAt } }
      }
      ... on Error { message }
    }
  }
`;

const LIST = /* GraphQL */ `{ apiClients(first: 100) { totalCount nodes { id name } } }`;

function inputFor(name: string, accountIds: string[] | 'all', scopes = ['read']) {
  return {
    input: { name, scopes, ...(accountIds === 'all' ? { allAccounts: true } : { accountIds: accountIds.map((id) => encodeId('Account', id)) }) },
  };
}

describe('createApiClient', () => {
  it('creates a client within the caller’s reach and shows its secret once', async () => {
    const response = await gateway.graphql(CREATE, inputFor('Reporting', [accountA]), adminOfA);
    const { data } = response.data.createApiClient;
    expect(data.apiClient).toMatchObject({ name: 'Reporting', scopes: ['read'], allAccounts: false, accounts: [{ id: encodeId('Account', accountA) }], revokedAt: null });
    const token = await requestToken(gateway, { grant_type: 'client_credentials' }, { basic: { clientId: data.apiClient.clientId, clientSecret: data.clientSecret } });
    expect(token.status).toBe(200);
  });

  it('is FORBIDDEN to grant an account beyond the caller’s', async () => {
    const response = await gateway.graphql(CREATE, inputFor('Sneaky', [accountA, accountB]), adminOfA);
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('is FORBIDDEN to grant all accounts without having them', async () => {
    const response = await gateway.graphql(CREATE, inputFor('Everything', 'all'), adminOfA);
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('is FORBIDDEN to grant a scope beyond the caller’s', async () => {
    const writer = await gateway.tokenFor({ accounts: 'all', scopes: ['admin'] });
    const response = await gateway.graphql(CREATE, inputFor('Writer', [accountA], ['read']), writer);
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('is FORBIDDEN without the admin scope', async () => {
    const reader = await gateway.tokenFor({ accounts: [accountA], scopes: ['read', 'write'] });
    const response = await gateway.graphql(CREATE, inputFor('Reader', [accountA]), reader);
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('asks for exactly one of accountIds and allAccounts', async () => {
    const response = await gateway.graphql(CREATE, { input: { name: 'Neither', scopes: ['read'] } }, adminOfAll);
    expect(response.data.createApiClient).toMatchObject({ __typename: 'ValidationError' });
  });
});

describe('apiClients', () => {
  it('lists only the clients whose accounts are all within the caller’s', async () => {
    await createApiClient(gateway.db, { name: 'Only A', scopes: ['read'], accounts: [accountA] });
    await createApiClient(gateway.db, { name: 'A and B', scopes: ['read'], accounts: [accountA, accountB] });
    await createApiClient(gateway.db, { name: 'All', scopes: ['read'], accounts: 'all' });

    const namesFor = async (token: string) => {
      const { totalCount, nodes } = (await gateway.graphql(LIST, {}, token)).data.apiClients as { totalCount: number; nodes: Array<{ name: string }> };
      expect(nodes).toHaveLength(totalCount);
      return nodes.map((c) => c.name);
    };
    const seenByA = await namesFor(adminOfA);
    expect(seenByA).toContain('Only A');
    expect(seenByA).not.toContain('A and B');
    expect(seenByA).not.toContain('All');
    expect(await namesFor(adminOfAll)).toEqual(expect.arrayContaining(['Only A', 'A and B', 'All']));
  });

  it('takes a TQL filter', async () => {
    const response = await gateway.graphql(`{ apiClients(filter: "api_client.name LIKE only* AND api_client.revoked_at EQ null") { nodes { name } } }`, {}, adminOfAll);
    expect(response.errors).toBeUndefined();
    expect(response.data.apiClients.nodes.map((client: { name: string }) => client.name)).toEqual(['Only A']);
  });

  it('does not show a client out of reach through node(id)', async () => {
    const wide = await createApiClient(gateway.db, { name: 'Wide', scopes: ['read'], accounts: [accountB] });
    const response = await gateway.graphql(`query($id: ID!) { node(id: $id) { ... on ApiClient { name } } }`, { id: encodeId('ApiClient', wide.id) }, adminOfA);
    expect(response.data?.node ?? null).toBeNull();
  });
});

describe('rotateApiClientSecret and revokeApiClient', () => {
  const ROTATE = `mutation($id: ID!) { rotateApiClientSecret(id: $id) { __typename ... on RotateApiClientSecretSuccess { data { clientSecret } } } }`;
  const REVOKE = `mutation($id: ID!) { revokeApiClient(id: $id) { __typename ... on RevokeApiClientSuccess { data { revokedAt } } } }`;

  it('rotates the secret of a client in reach, returning the new one', async () => {
    const target = await createApiClient(gateway.db, { name: 'Rotate me', scopes: ['read'], accounts: [accountA] });
    const response = await gateway.graphql(ROTATE, { id: encodeId('ApiClient', target.id) }, adminOfA);
    const { clientSecret } = response.data.rotateApiClientSecret.data;
    expect(clientSecret).not.toBe(target.clientSecret);
    expect((await requestToken(gateway, { grant_type: 'client_credentials' }, { basic: { clientId: target.clientId, clientSecret } })).status).toBe(200);
  });

  it('revokes a client in reach, cutting off its live tokens', async () => {
    const target = await createApiClient(gateway.db, { name: 'Revoke me', scopes: ['read'], accounts: [accountA] });
    const { body } = await requestToken(gateway, { grant_type: 'client_credentials' }, { basic: target });
    const response = await gateway.graphql(REVOKE, { id: encodeId('ApiClient', target.id) }, adminOfA);
    expect(response.data.revokeApiClient.data.revokedAt).toEqual(expect.any(String));
    const authentication = await gateway.gateway.auth.authenticate(`Bearer ${body.access_token}`);
    expect(authentication.kind).toBe('invalid');
  });

  it('treats a client out of reach as not found', async () => {
    const target = await createApiClient(gateway.db, { name: 'Out of reach', scopes: ['read'], accounts: [accountB] });
    const id = encodeId('ApiClient', target.id);
    expect((await gateway.graphql(ROTATE, { id }, adminOfA)).data.rotateApiClientSecret.__typename).toBe('NotFoundError');
    expect((await gateway.graphql(REVOKE, { id }, adminOfA)).data.revokeApiClient.__typename).toBe('NotFoundError');
    expect(await gateway.db.apiClient.findUnique({ where: { id: target.id } })).toMatchObject({ revokedAt: null });
  });
});
