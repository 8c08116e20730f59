import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiClient } from '../../src/auth/api-clients.ts';
import { encodeId } from '../support/fixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createAccount, createClient, decodeToken, requestToken, type TokenResponse } from './helpers.ts';

let gateway: TestGateway;
let accountA: string;
let accountB: string;
let client: Awaited<ReturnType<typeof createClient>>;

beforeAll(async () => {
  gateway = await startTestGateway();
  accountA = (await createAccount(gateway.db)).id;
  accountB = (await createAccount(gateway.db)).id;
  client = await createClient(gateway.db, { accounts: [accountA, accountB], scopes: ['read', 'write'] });
});
afterAll(() => gateway?.close());

const grant = { grant_type: 'client_credentials' };
const post = () => ({ client_id: client.clientId, client_secret: client.clientSecret });

function expectError(response: TokenResponse, status: number, error: string) {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ error, error_description: expect.any(String) });
  expect(response.body.error_description).not.toMatch(/\n\s+at /);
}

describe('POST /oauth/token', () => {
  describe('issues a token', () => {
    it('to a client authenticating with HTTP Basic', async () => {
      const response = await requestToken(gateway, grant, { basic: client });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'read write' });
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('to a client sending client_id and client_secret in a form body', async () => {
      const response = await requestToken(gateway, { ...grant, ...post() });
      expect(response.status).toBe(200);
      expect(response.body.token_type).toBe('Bearer');
    });

    it('to a client sending a JSON body', async () => {
      const response = await requestToken(gateway, { ...grant, ...post() }, { json: true });
      expect(response.status).toBe(200);
      expect(response.body.access_token).toEqual(expect.any(String));
    });

    it('with all the client’s scopes and accounts when none are asked for', async () => {
      const { body } = await requestToken(gateway, { ...grant, ...post() });
      const { claims } = decodeToken(body.access_token);
      expect(claims.scope).toBe('read write');
      expect(claims.accounts).toEqual([accountA, accountB]);
    });

    it('narrowed to the scopes asked for', async () => {
      const { status, body } = await requestToken(gateway, { ...grant, ...post(), scope: 'read' });
      expect(status).toBe(200);
      expect(body.scope).toBe('read');
      expect(decodeToken(body.access_token).claims.scope).toBe('read');
    });

    it('narrowed to accounts given as the global ids GraphQL hands out, or as UUIDs in any case', async () => {
      const { status, body } = await requestToken(gateway, { ...grant, ...post(), accounts: `${encodeId('Account', accountB)},${accountA.toUpperCase()}` });
      expect(status).toBe(200);
      expect(new Set(decodeToken(body.access_token).claims.accounts as string[])).toEqual(new Set([accountA, accountB]));
    });

    it('narrowed to the accounts asked for, space- or comma-delimited', async () => {
      for (const accounts of [accountB, `${accountA},${accountB}`, `${accountB} ${accountA}`]) {
        const { status, body } = await requestToken(gateway, { ...grant, ...post(), accounts });
        expect(status).toBe(200);
        expect(new Set(decodeToken(body.access_token).claims.accounts as string[])).toEqual(new Set(accounts.split(/[ ,]/)));
      }
    });

    it('saying "all accounts" in a claim of its own, not listing them, for an all-accounts client', async () => {
      const everywhere = await createClient(gateway.db, { accounts: 'all', scopes: ['read'] });
      await createAccount(gateway.db);
      const { body } = await requestToken(gateway, grant, { basic: everywhere });
      const { claims } = decodeToken(body.access_token);
      expect(claims.all_accounts).toBe(true);
      expect(claims).not.toHaveProperty('accounts');
    });
  });

  describe('refuses', () => {
    it('an unknown client with invalid_client (401)', async () => {
      expectError(await requestToken(gateway, { ...grant, client_id: 'sgc_nobody', client_secret: 'sgs_nothing' }), 401, 'invalid_client');
    });

    it('a wrong secret with invalid_client (401)', async () => {
      expectError(await requestToken(gateway, { ...grant, client_id: client.clientId, client_secret: `${client.clientSecret}x` }), 401, 'invalid_client');
    });

    it('bad Basic credentials with invalid_client (401) and a Basic challenge', async () => {
      const response = await requestToken(gateway, grant, { basic: { clientId: client.clientId, clientSecret: 'wrong' } });
      expectError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    });

    it('a request without client authentication with invalid_client (401)', async () => {
      expectError(await requestToken(gateway, grant), 401, 'invalid_client');
    });

    it('a revoked client with invalid_client (401)', async () => {
      const revoked = await createClient(gateway.db, { accounts: [accountA] });
      await revokeApiClient(gateway.db, revoked.id);
      expectError(await requestToken(gateway, grant, { basic: revoked }), 401, 'invalid_client');
    });

    it('Basic and body credentials at once with invalid_request (400)', async () => {
      expectError(await requestToken(gateway, { ...grant, ...post() }, { basic: client }), 400, 'invalid_request');
    });

    it('a client_id without a client_secret with invalid_request (400)', async () => {
      expectError(await requestToken(gateway, { ...grant, client_id: client.clientId }), 400, 'invalid_request');
    });

    it('a missing grant_type with invalid_request (400)', async () => {
      expectError(await requestToken(gateway, post()), 400, 'invalid_request');
    });

    it('a duplicated parameter with invalid_request (400)', async () => {
      const response = await fetch(`${gateway.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&scope=read&scope=write&client_id=${client.clientId}&client_secret=${client.clientSecret}`,
      });
      expectError({ status: response.status, headers: response.headers, body: await response.json() }, 400, 'invalid_request');
    });

    it('a malformed JSON body with invalid_request (400)', async () => {
      const response = await fetch(`${gateway.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":' });
      expectError({ status: response.status, headers: response.headers, body: await response.json() }, 400, 'invalid_request');
    });

    it('a body of another content type with invalid_request (400)', async () => {
      const response = await fetch(`${gateway.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'grant_type=client_credentials' });
      expectError({ status: response.status, headers: response.headers, body: await response.json() }, 400, 'invalid_request');
    });

    it('another grant type with unsupported_grant_type (400)', async () => {
      expectError(await requestToken(gateway, { grant_type: 'password', ...post() }), 400, 'unsupported_grant_type');
    });

    it('a scope the client does not have with invalid_scope (400)', async () => {
      expectError(await requestToken(gateway, { ...grant, ...post(), scope: 'read admin' }), 400, 'invalid_scope');
    });

    it('an unknown scope with invalid_scope (400)', async () => {
      expectError(await requestToken(gateway, { ...grant, ...post(), scope: 'everything' }), 400, 'invalid_scope');
    });

    it('an account the client cannot access with invalid_scope (400)', async () => {
      const elsewhere = await createAccount(gateway.db);
      expectError(await requestToken(gateway, { ...grant, ...post(), accounts: `${accountA} ${elsewhere.id}` }), 400, 'invalid_scope');
    });

    it('an accounts value that is not a list of ids with invalid_request (400), naming the id as typed', async () => {
      const response = await requestToken(gateway, { ...grant, ...post(), accounts: `${accountA} Account-A` });
      expectError(response, 400, 'invalid_request');
      expect(response.body.error_description).toContain('not an id: Account-A');
      // A global id of another type is not an account id either.
      const agentId = encodeId('Agent', accountA);
      expect((await requestToken(gateway, { ...grant, ...post(), accounts: agentId })).body.error_description).toContain(agentId);
    });

    it('an account beyond the client named as typed, in either form', async () => {
      const elsewhere = await createAccount(gateway.db);
      const typed = [elsewhere.id.toUpperCase(), encodeId('Account', elsewhere.id)];
      for (const accounts of typed) {
        const response = await requestToken(gateway, { ...grant, ...post(), accounts });
        expectError(response, 400, 'invalid_scope');
        expect(response.body.error_description).toBe(`This client may not access account ${accounts}`);
      }
    });

    it('any method but POST with 405', async () => {
      const response = await fetch(`${gateway.url}/oauth/token`);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    });
  });
});

describe('GET /.well-known/oauth-authorization-server', () => {
  it('describes the token endpoint, the JWKS and what they support (RFC 8414)', async () => {
    const response = await fetch(`${gateway.url}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      issuer: 'http://gateway.test',
      token_endpoint: 'http://gateway.test/oauth/token',
      jwks_uri: 'http://gateway.test/.well-known/jwks.json',
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['read', 'write', 'admin'],
      response_types_supported: [],
    });
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the signing key, public parts only, with kid, alg and use', async () => {
    const response = await fetch(`${gateway.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' });
    const { body } = await requestToken(gateway, grant, { basic: client });
    expect(decodeToken(body.access_token).header.kid).toBe(keys[0]!.kid);
  });
});
