import { exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiClient } from '../../src/auth/api-clients.ts';
import { encodeId } from '../support/fixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { authenticateWith, base64urlJson, createAccount, createClient, decodeToken, mintWithGatewayKey, tokenOf } from './helpers.ts';

let gateway: TestGateway;
let accountId: string;
let client: Awaited<ReturnType<typeof createClient>>;
let validToken: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  accountId = (await createAccount(gateway.db)).id;
  client = await createClient(gateway.db, { accounts: [accountId], scopes: ['read', 'write'] });
  validToken = await tokenOf(gateway, client);
});
afterAll(() => gateway?.close());

async function publishedKey() {
  const response = await fetch(`${gateway.url}/.well-known/jwks.json`);
  const { keys } = (await response.json()) as { keys: Array<Record<string, string> & { kid: string }> };
  return keys[0]!;
}

async function expectRejected(token: string, reason: RegExp) {
  expect(await authenticateWith(gateway, `Bearer ${token}`)).toEqual({ kind: 'invalid', reason: expect.stringMatching(reason) });
}

describe('access tokens (RFC 9068)', () => {
  it('carry typ at+jwt, the signing alg and the kid in their header', () => {
    expect(decodeToken(validToken).header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
  });

  it('carry iss, aud, sub, client_id, scope, accounts, iat, exp and jti', () => {
    const { claims } = decodeToken(validToken);
    expect(claims).toEqual({
      iss: 'http://gateway.test',
      aud: 'scheduling-gateway',
      sub: client.clientId,
      client_id: client.clientId,
      scope: 'read write',
      accounts: [accountId],
      iat: expect.any(Number),
      exp: claims.iat! + 900,
      jti: expect.any(String),
    });
  });

  it('get a fresh jti each time', async () => {
    expect(decodeToken(await tokenOf(gateway, client)).claims.jti).not.toBe(decodeToken(validToken).claims.jti);
  });
});

describe('authenticate', () => {
  it('finds no credentials when there is no Authorization header', async () => {
    const result = await gateway.gateway.auth.authenticate(null);
    expect(result).toEqual({ kind: 'none' });
  });

  it('accepts a token it issued, as the client’s principal', async () => {
    expect(await authenticateWith(gateway, `Bearer ${validToken}`)).toEqual({
      kind: 'valid',
      principal: { apiClientId: client.id, clientId: client.clientId, scopes: ['read', 'write'], accountIds: [accountId], allAccounts: false },
    });
    const response = await gateway.graphql('{ viewer { clientId } }', {}, validToken);
    expect(response).toEqual({ data: { viewer: { clientId: client.clientId } } });
  });

  it('accepts a token minted the same way by the test (the control for the forgeries below)', async () => {
    expect((await authenticateWith(gateway, `Bearer ${await mintWithGatewayKey(gateway, client)}`)).kind).toBe('valid');
  });

  it('rejects another scheme than Bearer', async () => {
    const result = await authenticateWith(gateway, `Basic ${Buffer.from('a:b').toString('base64')}`);
    expect(result).toEqual({ kind: 'invalid', reason: expect.stringMatching(/Bearer/) });
  });

  it('rejects an unsecured token (alg: none)', async () => {
    const { header, claims } = decodeToken(validToken);
    await expectRejected(`${base64urlJson({ ...header, alg: 'none' })}.${base64urlJson(claims)}.`, /algorithm/);
  });

  it('rejects an HS256 token whose HMAC key is our public key as a JWK', async () => {
    const jwk = await publishedKey();
    const token = await new SignJWT(decodeToken(validToken).claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwk.kid })
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    await expectRejected(token, /algorithm/);
  });

  it('rejects an HS256 token whose HMAC key is our public key as PEM', async () => {
    const jwk = await publishedKey();
    const pem = await exportSPKI((await importJWK(jwk, 'ES256', { extractable: true })) as CryptoKey);
    const token = await new SignJWT(decodeToken(validToken).claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwk.kid })
      .sign(new TextEncoder().encode(pem));
    await expectRejected(token, /algorithm/);
  });

  it('rejects a token signed by a key with an unknown kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT(decodeToken(validToken).claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'not-one-of-ours' })
      .sign(privateKey);
    await expectRejected(token, /unknown key/);
  });

  it('rejects a token signed by a foreign key that claims our kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT(decodeToken(validToken).claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: decodeToken(validToken).header.kid! })
      .sign(privateKey);
    await expectRejected(token, /signature/);
  });

  it('rejects a token whose payload was tampered with', async () => {
    const [header, , signature] = validToken.split('.');
    const widened = { ...decodeToken(validToken).claims, scope: 'read write admin' };
    await expectRejected(`${header}.${base64urlJson(widened)}.${signature}`, /signature/);
  });

  it('rejects an expired token', async () => {
    await expectRejected(await mintWithGatewayKey(gateway, client, { expiresInSeconds: -60 }), /expired/);
  });

  it('rejects a token for another audience', async () => {
    await expectRejected(await mintWithGatewayKey(gateway, client, { claims: { aud: 'another-api' } }), /aud/);
  });

  it('rejects a token from another issuer', async () => {
    await expectRejected(await mintWithGatewayKey(gateway, client, { claims: { iss: 'https://evil.example' } }), /iss/);
  });

  it('rejects a JWT that is not an access token (typ JWT)', async () => {
    await expectRejected(await mintWithGatewayKey(gateway, client, { typ: 'JWT' }), /typ/);
  });

  it('rejects a token whose client_id is not its subject', async () => {
    const other = await createClient(gateway.db, { accounts: [accountId], scopes: ['read'] });
    await expectRejected(await mintWithGatewayKey(gateway, client, { claims: { client_id: other.clientId } }), /client_id/);
  });

  it('rejects a token that is not a JWT at all', async () => {
    await expectRejected('not.a.jwt', /malformed/);
  });

  it('rejects a token once it expires, though it was accepted while it was valid', async () => {
    const shortLived = await mintWithGatewayKey(gateway, client, { expiresInSeconds: 1 });
    expect((await authenticateWith(gateway, `Bearer ${shortLived}`)).kind).toBe('valid');
    // Past exp and the verifier's clock tolerance.
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    await expectRejected(shortLived, /expired/);
  }, 15_000);

  it('rejects an accepted token whose signature was altered', async () => {
    expect((await authenticateWith(gateway, `Bearer ${validToken}`)).kind).toBe('valid');
    const [header, payload, signature] = validToken.split('.');
    const altered = `${header}.${payload}.${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
    await expectRejected(altered, /signature/);
  });

  it('rejects the live token of a client revoked after issuing it', async () => {
    const revoked = await createClient(gateway.db, { accounts: [accountId] });
    const token = await tokenOf(gateway, revoked);
    await revokeApiClient(gateway.db, revoked.id);
    await expectRejected(token, /revoked/);
  });

  describe('for a client the gateway has already seen', () => {
    // A compiled read (one statement that also checks the client), a read through the resolvers, and a mutation.
    const operations = [
      '{ agents { nodes { name } } }',
      '{ viewer { clientId scopes } }',
      'mutation { createCustomer(input: { name: "Late", email: "late@example.com" }) { __typename } }',
    ];

    it('refuses its live tokens once it is revoked, on every path', async () => {
      for (const query of operations) {
        const revoked = await createClient(gateway.db, { accounts: [accountId] });
        const token = await tokenOf(gateway, revoked);
        expect((await gateway.graphql('{ viewer { clientId } }', {}, token)).data?.viewer.clientId).toBe(revoked.clientId);
        await revokeApiClient(gateway.db, revoked.id);
        const response = await gateway.graphql(query, {}, token);
        expect(response.data ?? null).toBeNull();
        expect(response.errors?.[0]).toMatchObject({ message: expect.stringMatching(/revoked/), extensions: { code: 'UNAUTHENTICATED' } });
      }
    });

    it('honours scopes and accounts taken away from it since, on every path', async () => {
      const other = (await createAccount(gateway.db)).id;
      const outsider = await gateway.db.agent.create({ data: { accountId: other, name: 'Outsider', email: 'outsider@example.com', timeZone: 'UTC' } });
      const narrowed = await createClient(gateway.db, { accounts: [accountId, other] });
      const token = await tokenOf(gateway, narrowed);
      // Through the resolvers (accounts is not compiled): a query runs alongside the client's check.
      const overview = '{ agents(first: 100) { nodes { name account { id } } } accounts { totalCount } }';
      const before = (await gateway.graphql(overview, {}, token)).data;
      expect(before?.accounts.totalCount).toBe(2);
      expect(before?.agents.nodes).toContainEqual({ name: outsider.name, account: { id: encodeId('Account', other) } });
      await gateway.db.apiClient.update({ where: { id: narrowed.id }, data: { accountIds: [accountId] } });
      // The answer computed with the old grants is dropped, and computed again with the new ones.
      const after = (await gateway.graphql(overview, {}, token)).data;
      expect(after?.accounts.totalCount).toBe(1);
      expect(after?.agents.nodes.map((agent: { account: { id: string } }) => agent.account.id)).not.toContain(encodeId('Account', other));
      await gateway.db.apiClient.update({ where: { id: narrowed.id }, data: { scopes: ['write'] } });
      for (const query of ['{ agents { nodes { name } } }', '{ accounts { totalCount } }']) {
        const response = await gateway.graphql(query, {}, token);
        expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
    });
  });

  it('answers a GraphQL request carrying a rejected token with UNAUTHENTICATED', async () => {
    const { header, claims } = decodeToken(validToken);
    const forgeries = [
      `${base64urlJson({ ...header, alg: 'none' })}.${base64urlJson(claims)}.`,
      await mintWithGatewayKey(gateway, client, { expiresInSeconds: -60 }),
      'not.a.jwt',
    ];
    for (const token of forgeries) {
      const response = await gateway.graphql('{ viewer { clientId } }', {}, token);
      expect(response.data ?? null).toBeNull();
      expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('honours a token’s accounts only while its client still has them', async () => {
    const second = await createAccount(gateway.db);
    const narrowing = await createClient(gateway.db, { accounts: [accountId, second.id] });
    const token = await tokenOf(gateway, narrowing);
    await gateway.db.apiClient.update({ where: { id: narrowing.id }, data: { accountIds: [accountId] } });
    const result = await authenticateWith(gateway, `Bearer ${token}`);
    expect(result.kind === 'valid' && result.principal.accountIds).toEqual([accountId]);
  });
});
