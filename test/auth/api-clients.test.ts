import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateClient, createApiClient, revokeApiClient, rotateApiClientSecret } from '../../src/auth/api-clients.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createAccount, requestToken } from './helpers.ts';

let gateway: TestGateway;
let accountId: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  accountId = (await createAccount(gateway.db)).id;
});
afterAll(() => gateway?.close());

describe('createApiClient', () => {
  it('returns a high-entropy secret with a recognisable prefix and a readable client_id', async () => {
    const created = await createApiClient(gateway.db, { name: 'Billing sync', scopes: ['read'], accounts: [accountId] });
    expect(created.clientId).toMatch(/^sgc_[\w-]{16}$/);
    expect(created.clientSecret).toMatch(/^sgs_[\w-]{43}$/);
  });

  it('stores the secret only as a hash', async () => {
    const created = await createApiClient(gateway.db, { name: 'Hashing', scopes: ['read'], accounts: [accountId] });
    const rows = await gateway.db.$queryRaw<Array<Record<string, unknown>>>`SELECT * FROM api_clients WHERE id = ${created.id}::uuid`;
    const row = JSON.stringify(rows[0]);
    expect(row).not.toContain(created.clientSecret);
    expect(row).not.toContain(created.clientSecret.slice(4));
  });

  it('refuses an account that does not exist', async () => {
    await expect(
      createApiClient(gateway.db, { name: 'Ghost', scopes: ['read'], accounts: ['00000000-0000-4000-8000-000000000000'] }),
    ).rejects.toThrow(/No account has id 00000000-0000-4000-8000-000000000000/);
  });

  it('refuses an unknown scope', async () => {
    await expect(createApiClient(gateway.db, { name: 'Greedy', scopes: ['root' as 'read'], accounts: [accountId] })).rejects.toThrow(/Scopes/);
  });
});

describe('authenticateClient', () => {
  it('knows a client by its secret, and no other string', async () => {
    const created = await createApiClient(gateway.db, { name: 'Auth', scopes: ['read'], accounts: [accountId] });
    expect(await authenticateClient(gateway.db, created.clientId, created.clientSecret)).toMatchObject({ id: created.id });
    const lastCharacterChanged = created.clientSecret.slice(0, -1) + (created.clientSecret.endsWith('A') ? 'B' : 'A');
    expect(await authenticateClient(gateway.db, created.clientId, lastCharacterChanged)).toBeNull();
    expect(await authenticateClient(gateway.db, 'sgc_unknown', created.clientSecret)).toBeNull();
  });
});

describe('rotateApiClientSecret', () => {
  it('replaces the secret: the old one stops working, the new one works', async () => {
    const created = await createApiClient(gateway.db, { name: 'Rotating', scopes: ['read'], accounts: [accountId] });
    const { clientSecret } = await rotateApiClientSecret(gateway.db, created.id);
    expect(clientSecret).not.toBe(created.clientSecret);
    const grant = { grant_type: 'client_credentials', client_id: created.clientId };
    expect((await requestToken(gateway, { ...grant, client_secret: created.clientSecret })).status).toBe(401);
    expect((await requestToken(gateway, { ...grant, client_secret: clientSecret })).status).toBe(200);
  });
});

describe('revokeApiClient', () => {
  it('marks the client revoked, once', async () => {
    const created = await createApiClient(gateway.db, { name: 'Revoked', scopes: ['read'], accounts: [accountId] });
    const first = await revokeApiClient(gateway.db, created.id);
    const again = await revokeApiClient(gateway.db, created.id);
    expect(first.revokedAt).toBeInstanceOf(Date);
    expect(again.revokedAt).toEqual(first.revokedAt);
    expect(await authenticateClient(gateway.db, created.clientId, created.clientSecret)).toBeNull();
  });
});
