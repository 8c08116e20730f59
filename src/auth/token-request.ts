/**
 * Reading a token request (RFC 6749 §4.4.2 and §2.3.1) into plain values,
 * with every way it can be malformed turned into an OAuth error.
 */

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type';

export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    /** Set when the client authenticated with HTTP Basic: the 401 must then challenge for Basic (§5.2). */
    readonly challengeBasic = false,
  ) {
    super(description);
  }
}

export interface TokenRequest {
  grantType: string;
  credentials: { clientId: string; clientSecret: string; method: 'client_secret_basic' | 'client_secret_post' };
  /** Undefined when the parameter was omitted or empty (§3.1: an empty parameter counts as omitted). */
  scope: string | undefined;
  accounts: string | undefined;
}

export async function readTokenRequest(request: Request): Promise<TokenRequest> {
  const parameters = await readParameters(request);
  const credentials = readCredentials(request.headers.get('authorization'), parameters);
  // PostgreSQL text cannot hold U+0000: a client id with one could never match, and must not reach a query.
  for (const [name, value] of [['client_id', credentials.clientId], ['client_secret', credentials.clientSecret], ...parameters] as const) {
    if (value.includes('\u0000')) throw new OAuthError('invalid_request', `${name} must not contain NUL characters`);
  }
  const grantType = parameters.get('grant_type');
  if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
  return { grantType, credentials, scope: parameters.get('scope'), accounts: parameters.get('accounts') };
}

/** The body's parameters, each at most once (§3.2), empty values dropped (§3.1). */
async function readParameters(request: Request): Promise<Map<string, string>> {
  const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  let entries: Array<[string, unknown]>;
  if (mediaType === 'application/x-www-form-urlencoded') {
    entries = [...new URLSearchParams(await request.text())];
  } else if (mediaType === 'application/json') {
    entries = Object.entries(await readJsonObject(request));
  } else {
    throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded or application/json');
  }
  const parameters = new Map<string, string>();
  for (const [name, value] of entries) {
    if (typeof value !== 'string') throw new OAuthError('invalid_request', `${name} must be a string`);
    if (parameters.has(name)) throw new OAuthError('invalid_request', `${name} is given more than once`);
    parameters.set(name, value);
  }
  for (const [name, value] of parameters) if (value === '') parameters.delete(name);
  return parameters;
}

async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw new OAuthError('invalid_request', 'The body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OAuthError('invalid_request', 'The JSON body must be an object');
  }
  return body as Record<string, unknown>;
}

/** Client authentication by exactly one method: HTTP Basic, or client_id and client_secret in the body (§2.3). */
function readCredentials(authorization: string | null, parameters: Map<string, string>): TokenRequest['credentials'] {
  const bodyId = parameters.get('client_id');
  const bodySecret = parameters.get('client_secret');
  if (authorization !== null) {
    if (bodyId !== undefined || bodySecret !== undefined) {
      throw new OAuthError('invalid_request', 'Authenticate the client with HTTP Basic or with client_id and client_secret in the body, not both');
    }
    return { ...readBasic(authorization), method: 'client_secret_basic' };
  }
  if (bodyId === undefined && bodySecret === undefined) {
    throw new OAuthError('invalid_client', 'Client authentication is required: HTTP Basic, or client_id and client_secret in the body');
  }
  if (bodyId === undefined || bodySecret === undefined) {
    throw new OAuthError('invalid_request', 'client_id and client_secret must be given together');
  }
  return { clientId: bodyId, clientSecret: bodySecret, method: 'client_secret_post' };
}

function readBasic(authorization: string): { clientId: string; clientSecret: string } {
  const [scheme, encoded, ...rest] = authorization.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'basic') {
    throw new OAuthError('invalid_request', 'Only HTTP Basic client authentication is accepted in the Authorization header');
  }
  const decoded = encoded && rest.length === 0 ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  const separator = decoded.indexOf(':');
  if (separator < 1) throw new OAuthError('invalid_client', 'The Basic credentials are malformed', true);
  try {
    // §2.3.1: both halves are form-urlencoded before they are joined, so they must be decoded one by one.
    return { clientId: formDecode(decoded.slice(0, separator)), clientSecret: formDecode(decoded.slice(separator + 1)) };
  } catch {
    throw new OAuthError('invalid_client', 'The Basic credentials are malformed', true);
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replaceAll('+', ' '));
}
