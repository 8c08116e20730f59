import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { createApiClient } from '../../src/auth/api-clients.ts';
import type { Scope } from '../../src/auth/principal.ts';
import type { Db } from '../../src/db/client.ts';
import type { TestGateway } from '../support/gateway.ts';

export async function createAccount(db: Db, name = `Account ${randomUUID().slice(0, 8)}`) {
  return db.account.create({ data: { name, slug: `acct-${randomUUID().slice(0, 8)}`, timeZone: 'Europe/London' } });
}

export async function createClient(db: Db, options: { accounts: 'all' | string[]; scopes?: Scope[] }) {
  return createApiClient(db, { name: `client ${randomUUID().slice(0, 8)}`, scopes: options.scopes ?? ['read', 'write'], accounts: options.accounts });
}

export interface TokenResponse {
  status: number;
  headers: Headers;
  body: Record<string, any>;
}

/** POSTs to /oauth/token: form-encoded by default, JSON with `json: true`, HTTP Basic with `basic`. */
export async function requestToken(
  gateway: Pick<TestGateway, 'url'>,
  parameters: Record<string, string>,
  options: { json?: boolean; basic?: { clientId: string; clientSecret: string }; authorization?: string } = {},
): Promise<TokenResponse> {
  const headers: Record<string, string> = {
    'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded',
  };
  if (options.basic) {
    const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
    headers.authorization = `Basic ${Buffer.from(`${encode(options.basic.clientId)}:${encode(options.basic.clientSecret)}`).toString('base64')}`;
  }
  if (options.authorization) headers.authorization = options.authorization;
  const response = await fetch(`${gateway.url}/oauth/token`, {
    method: 'POST',
    headers,
    body: options.json ? JSON.stringify(parameters) : new URLSearchParams(parameters),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

/** A token for `client` through the client_secret_post method. */
export async function tokenOf(gateway: Pick<TestGateway, 'url'>, client: { clientId: string; clientSecret: string }, extra: Record<string, string> = {}) {
  const { status, body } = await requestToken(gateway, {
    grant_type: 'client_credentials',
    client_id: client.clientId,
    client_secret: client.clientSecret,
    ...extra,
  });
  if (status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
  return body.access_token as string;
}

export function decodeToken(token: string) {
  return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
}

/**
 * Signs a token with the gateway's own current key, so a test can change one
 * thing (audience, issuer, expiry, typ) and show that alone gets it refused.
 */
export async function mintWithGatewayKey(
  gateway: TestGateway,
  client: { clientId: string },
  change: { claims?: JWTPayload; typ?: string; expiresInSeconds?: number } = {},
) {
  const { kid, privateKey } = await gateway.gateway.auth.keys.current();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: gateway.config.issuer,
    aud: gateway.config.audience,
    sub: client.clientId,
    client_id: client.clientId,
    scope: 'read',
    accounts: [],
    iat: now,
    exp: now + (change.expiresInSeconds ?? 300),
    jti: randomUUID(),
    ...change.claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: change.typ ?? 'at+jwt', kid })
    .sign(privateKey);
}

export function authenticateWith(gateway: TestGateway, authorization: string) {
  return gateway.gateway.auth.authenticate(authorization);
}

export function base64urlJson(value: unknown) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
