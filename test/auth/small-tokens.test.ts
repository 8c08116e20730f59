import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiClientInputError, createApiClient, MAX_LISTED_ACCOUNTS } from '../../src/auth/api-clients.ts';
import { encodeId } from '../../src/schema/global-id.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createAccount, createClient, decodeToken, tokenOf } from './helpers.ts';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(() => gateway?.close());

/** `count` accounts at once, as a tenant creating accounts in bulk would leave them. */
async function createAccounts(count: number): Promise<string[]> {
  const rows = Array.from({ length: count }, () => ({ name: 'Bulk', slug: `bulk-${randomUUID()}`, timeZone: 'UTC' }));
  return (await gateway.db.account.createManyAndReturn({ data: rows, select: { id: true } })).map((row) => row.id);
}

async function accountsSeenWith(token: string): Promise<number> {
  const result = await gateway.graphql('{ accounts(first: 1) { totalCount } }', {}, token);
  expect(result.errors).toBeUndefined();
  return result.data.accounts.totalCount;
}

/** Whether `token` reaches the account: asking for one beyond the token is FORBIDDEN. */
async function reaches(token: string, accountId: string): Promise<boolean> {
  const result = await gateway.graphql(`{ accounts(first: 1, accountIds: ["${accountId}"]) { totalCount } }`, {}, token);
  return result.data?.accounts?.totalCount === 1;
}

const CREATE_ACCOUNT = 'mutation { createAccount(input: {name: "Later", timeZone: "UTC"}) { ... on CreateAccountSuccess { data { id } } ... on Error { message } } }';

describe('the token of an all-accounts client', () => {
  it('stays small with 350 accounts (it was 18.9 KB, and HTTP 431 on every request) and reaches every one of them', async () => {
    await createAccounts(350);
    const client = await createClient(gateway.db, { accounts: 'all', scopes: ['read'] });
    const token = await tokenOf(gateway, client);
    expect(token.length).toBeLessThan(1_000);
    expect(decodeToken(token).claims).toMatchObject({ all_accounts: true });
    expect(await accountsSeenWith(token)).toBe(await gateway.db.account.count());
  });

  it('reaches an account created with it at once, on both read paths', async () => {
    const token = await gateway.tokenFor({ accounts: 'all', scopes: ['read', 'write', 'admin'] });
    const created = await gateway.graphql(CREATE_ACCOUNT, {}, token);
    const id = created.data.createAccount.data.id as string;
    expect(await reaches(token, id)).toBe(true);
    const scoped = await gateway.graphql(`{ agents(first: 1, accountIds: ["${id}"]) { totalCount } }`, {}, token);
    expect(scoped).toEqual({ data: { agents: { totalCount: 0 } } });
  });

  it('reaches an account another gateway instance created, within about a second', async () => {
    const token = await gateway.tokenFor({ accounts: 'all', scopes: ['read'] });
    await accountsSeenWith(token);
    const [id] = await createAccounts(1);
    await vi.waitFor(async () => expect(await reaches(token, encodeId('Account', id!))).toBe(true), { timeout: 3_000, interval: 200 });
  });
});

describe('a client that lists its accounts', () => {
  it('may list up to MAX_LISTED_ACCOUNTS, whose token stays under 6 KB and works', async () => {
    const accountIds = await createAccounts(MAX_LISTED_ACCOUNTS);
    const token = await tokenOf(gateway, await createClient(gateway.db, { accounts: accountIds, scopes: ['read'] }));
    expect(token.length).toBeLessThan(6_000);
    expect(await accountsSeenWith(token)).toBe(MAX_LISTED_ACCOUNTS);
  });

  it('may not list more', async () => {
    const accountIds = await createAccounts(MAX_LISTED_ACCOUNTS + 1);
    await expect(createClient(gateway.db, { accounts: accountIds })).rejects.toThrow(ApiClientInputError);
    const admin = await gateway.tokenFor({ accounts: 'all', scopes: ['read', 'admin'] });
    const result = await gateway.graphql(
      'mutation($input: CreateApiClientInput!) { createApiClient(input: $input) { __typename ... on ValidationError { message } } }',
      { input: { name: 'Too wide', scopes: ['read'], accountIds: accountIds.map((id) => encodeId('Account', id)) } },
      admin,
    );
    expect(result.data.createApiClient).toEqual({ __typename: 'ValidationError', message: expect.stringContaining(`at most ${MAX_LISTED_ACCOUNTS} accounts`) });
  });

  it('cannot grow past the cap by creating accounts', async () => {
    const accountIds = await createAccounts(MAX_LISTED_ACCOUNTS);
    const token = await tokenOf(gateway, await createClient(gateway.db, { accounts: accountIds, scopes: ['read', 'write', 'admin'] }));
    const before = await gateway.db.account.count();
    const result = await gateway.graphql(CREATE_ACCOUNT, {}, token);
    expect(result.data.createAccount.message).toContain(`already lists ${MAX_LISTED_ACCOUNTS} accounts`);
    expect(await gateway.db.account.count()).toBe(before);
  });
});

describe('a client of no account', () => {
  const LIST = '{ apiClients(first: 100) { nodes { id name } } }';
  const REVOKE = 'mutation($id: ID!) { revokeApiClient(id: $id) { __typename } }';

  it('cannot be created', async () => {
    await expect(createApiClient(gateway.db, { name: 'Nobody', scopes: ['read'], accounts: [] })).rejects.toThrow('at least one account');
    const admin = await gateway.tokenFor({ accounts: [(await createAccount(gateway.db)).id], scopes: ['read', 'admin'] });
    const result = await gateway.graphql(
      'mutation($input: CreateApiClientInput!) { createApiClient(input: $input) { __typename ... on ValidationError { fieldErrors: message } } }',
      { input: { name: 'Nobody', scopes: ['read'], accountIds: [] } },
      admin,
    );
    expect(result.data.createApiClient.__typename).toBe('ValidationError');
  });

  it('made before that rule is neither visible to nor revocable by another tenant’s admin', async () => {
    // As such a client was stored before: written directly, since the API no longer makes one.
    const orphan = await gateway.db.apiClient.create({
      data: { clientId: `sgc_${randomUUID()}`, name: 'Orphan', secretHash: 'x', scopes: ['read'], allAccounts: false, accountIds: [] },
    });
    const orphanId = encodeId('ApiClient', orphan.id);
    const tenantAdmin = await gateway.tokenFor({ accounts: [(await createAccount(gateway.db)).id], scopes: ['read', 'admin'] });
    const listed = await gateway.graphql(LIST, {}, tenantAdmin);
    expect(listed.data.apiClients.nodes.map((node: { id: string }) => node.id)).not.toContain(orphanId);
    expect((await gateway.graphql(`{ node(id: "${orphanId}") { id } }`, {}, tenantAdmin)).data.node).toBeNull();
    const revoked = await gateway.graphql(REVOKE, { id: orphanId }, tenantAdmin);
    expect(revoked.data.revokeApiClient.__typename).toBe('NotFoundError');
    expect((await gateway.db.apiClient.findUniqueOrThrow({ where: { id: orphan.id } })).revokedAt).toBeNull();

    const operator = await gateway.tokenFor({ accounts: 'all', scopes: ['read', 'admin'] });
    expect((await gateway.graphql(LIST, {}, operator)).data.apiClients.nodes.map((node: { id: string }) => node.id)).toContain(orphanId);
  });
});
